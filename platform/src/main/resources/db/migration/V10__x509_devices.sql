-- X.509 device authentication on MQTTS and AMQPS (SPEC 9): a device's own certificate, registered
-- by its SHA-256 thumbprint, or a tenant's CA whose signed certificates are recognised by their CN.

CREATE TABLE device_certificates (
  device_id   uuid PRIMARY KEY REFERENCES devices (id) ON DELETE CASCADE,
  tenant_id   uuid NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
  thumbprint  text NOT NULL UNIQUE,
  subject     text NOT NULL,
  not_after   timestamptz NOT NULL,
  created_at  timestamptz NOT NULL
);

-- a CA belongs to one tenant: its subject names the tenant whose devices it signs
CREATE TABLE ca_certificates (
  id              uuid PRIMARY KEY,
  tenant_id       uuid NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
  subject         text NOT NULL UNIQUE,
  thumbprint      text NOT NULL UNIQUE,
  certificate_pem text NOT NULL,
  not_after       timestamptz NOT NULL,
  auto_provision  boolean NOT NULL,
  created_at      timestamptz NOT NULL
);

CREATE TABLE revoked_certificates (
  ca_id          uuid NOT NULL REFERENCES ca_certificates (id) ON DELETE CASCADE,
  tenant_id      uuid NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
  serial_number  text NOT NULL,
  revoked_at     timestamptz NOT NULL,
  PRIMARY KEY (ca_id, serial_number)
);

DO $$
DECLARE t text;
BEGIN
  FOREACH t IN ARRAY ARRAY['device_certificates', 'ca_certificates', 'revoked_certificates'] LOOP
    EXECUTE format('ALTER TABLE %I ENABLE ROW LEVEL SECURITY', t);
    EXECUTE format('ALTER TABLE %I FORCE ROW LEVEL SECURITY', t);
    EXECUTE format('CREATE POLICY tenant_isolation ON %I USING (tenant_id = app_current_tenant()) '
                   'WITH CHECK (tenant_id = app_current_tenant())', t);
  END LOOP;
END $$;

-- The owner runs the two lookups below (SECURITY DEFINER): it reads certificates of every tenant.
CREATE POLICY owner_read ON device_certificates FOR SELECT TO CURRENT_USER USING (true);
CREATE POLICY owner_read ON ca_certificates FOR SELECT TO CURRENT_USER USING (true);
CREATE POLICY owner_read ON revoked_certificates FOR SELECT TO CURRENT_USER USING (true);

-- A device presenting a certificate: the certificate is all it has; the tenant comes from the row.
CREATE FUNCTION app_device_by_certificate(p_thumbprint text)
  RETURNS TABLE (device_id uuid, tenant_id uuid, name text, type text, not_after timestamptz)
  LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public, pg_temp
  AS $$ SELECT d.id, d.tenant_id, d.name, d.type, c.not_after
        FROM device_certificates c JOIN devices d ON d.id = c.device_id
        WHERE c.thumbprint = p_thumbprint $$;

-- The CA that issued a device's certificate, found by the certificate's issuer name, with whether
-- the certificate's serial number was revoked.
CREATE FUNCTION app_ca_by_subject(p_subject text, p_serial text)
  RETURNS TABLE (id uuid, tenant_id uuid, certificate_pem text, auto_provision boolean, revoked boolean)
  LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public, pg_temp
  AS $$ SELECT a.id, a.tenant_id, a.certificate_pem, a.auto_provision,
               EXISTS (SELECT 1 FROM revoked_certificates r WHERE r.ca_id = a.id AND r.serial_number = p_serial)
        FROM ca_certificates a WHERE a.subject = p_subject $$;

REVOKE ALL ON FUNCTION app_device_by_certificate(text), app_ca_by_subject(text, text) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION app_device_by_certificate(text), app_ca_by_subject(text, text) TO "${app_role}";
GRANT SELECT, INSERT, UPDATE, DELETE ON device_certificates, ca_certificates, revoked_certificates
  TO "${app_role}";
