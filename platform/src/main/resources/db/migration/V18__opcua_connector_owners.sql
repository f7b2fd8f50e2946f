-- Several nodes (SPEC 2): each connector's session runs on the one node holding its advisory lock.
-- A node looks for connectors nobody runs among every tenant's: their ids and tenants only, through
-- this named cross-tenant path; the connector itself is then read in its tenant's context.
-- the function runs as the owner, whom the tenant policy binds too: it reads ids and tenants only
CREATE POLICY owner_read ON opcua_connectors FOR SELECT TO CURRENT_USER USING (true);

CREATE FUNCTION app_opcua_connector_ids()
  RETURNS TABLE (id uuid, tenant_id uuid)
  LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public, pg_temp
  AS $$ SELECT c.id, c.tenant_id FROM opcua_connectors c $$;

REVOKE ALL ON FUNCTION app_opcua_connector_ids() FROM PUBLIC;
GRANT EXECUTE ON FUNCTION app_opcua_connector_ids() TO "${app_role}";
