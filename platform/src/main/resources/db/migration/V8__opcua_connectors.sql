-- OPC UA connectors (SPEC 5): the platform as OPC UA client of a tenant's servers.

CREATE TABLE opcua_connectors (
  id                      uuid PRIMARY KEY,
  tenant_id               uuid NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
  name                    text NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
  endpoint_url            text NOT NULL,
  security_policy         text NOT NULL,
  security_mode           text NOT NULL,
  auth_type               text NOT NULL CHECK (auth_type IN ('anonymous', 'username', 'certificate')),
  username                text,
  password_sealed         text,              -- AES-GCM, key from the configuration or the data directory
  enabled                 boolean NOT NULL,
  publishing_interval_ms  integer NOT NULL,
  mappings                jsonb NOT NULL,
  trusted_thumbprint      text,              -- SHA-1 of the server certificate a tenant admin trusted
  created_at              timestamptz NOT NULL,
  updated_at              timestamptz NOT NULL,
  UNIQUE (tenant_id, name)
);

ALTER TABLE opcua_connectors ENABLE ROW LEVEL SECURITY;
ALTER TABLE opcua_connectors FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON opcua_connectors USING (tenant_id = app_current_tenant())
  WITH CHECK (tenant_id = app_current_tenant());

GRANT SELECT, INSERT, UPDATE, DELETE ON opcua_connectors TO "${app_role}";
