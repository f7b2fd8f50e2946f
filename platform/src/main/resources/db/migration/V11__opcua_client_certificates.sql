-- One OPC UA application certificate per tenant (second security review, finding 3): a server that trusts one
-- tenant's connectors trusts no other tenant's. Generated on first need; the private key is sealed (AES-GCM, the key
-- of insa.secrets.key or of the data directory), the certificate is public and shown in the API.
CREATE TABLE opcua_client_certificates (
  tenant_id           uuid PRIMARY KEY REFERENCES tenants (id) ON DELETE CASCADE,
  certificate         bytea NOT NULL,          -- DER
  private_key_sealed  text NOT NULL,           -- PKCS#8, base64, sealed
  created_at          timestamptz NOT NULL
);

ALTER TABLE opcua_client_certificates ENABLE ROW LEVEL SECURITY;
ALTER TABLE opcua_client_certificates FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON opcua_client_certificates USING (tenant_id = app_current_tenant())
  WITH CHECK (tenant_id = app_current_tenant());

GRANT SELECT, INSERT, UPDATE, DELETE ON opcua_client_certificates TO "${app_role}";
