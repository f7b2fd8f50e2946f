-- Several nodes (SPEC 2): each node holds a tenant's admissions against the points every node stored
-- today. It reads them for all tenants at once, every insa.ingest.quota-refresh, through this named
-- cross-tenant path: tenant ids and point counts of one day only.
-- the function runs as the owner, whom the tenant policy binds too: it reads ids and counts only
CREATE POLICY owner_read ON telemetry_usage FOR SELECT TO CURRENT_USER USING (true);

CREATE FUNCTION app_telemetry_usage_on(day date)
  RETURNS TABLE (tenant_id uuid, points bigint)
  LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public, pg_temp
  AS $$ SELECT u.tenant_id, u.points FROM telemetry_usage u WHERE u.day = $1 $$;

REVOKE ALL ON FUNCTION app_telemetry_usage_on(date) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION app_telemetry_usage_on(date) TO "${app_role}";
