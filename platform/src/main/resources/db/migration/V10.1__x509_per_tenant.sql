-- X.509 device authentication per tenant (issue 22, findings 2 and 5): a device names itself and its
-- certificate is checked against that device's tenant only, so uniqueness is per tenant too and no
-- lookup by certificate crosses tenants any more. A CA serves only once its possession was proven.

ALTER TABLE device_certificates DROP CONSTRAINT device_certificates_thumbprint_key;
CREATE UNIQUE INDEX device_certificates_tenant_thumbprint ON device_certificates (tenant_id, thumbprint);

ALTER TABLE ca_certificates DROP CONSTRAINT ca_certificates_subject_key;
ALTER TABLE ca_certificates DROP CONSTRAINT ca_certificates_thumbprint_key;
CREATE UNIQUE INDEX ca_certificates_tenant_subject ON ca_certificates (tenant_id, subject);
CREATE UNIQUE INDEX ca_certificates_tenant_thumbprint ON ca_certificates (tenant_id, thumbprint);

-- Proof of possession: until a certificate with this code as CN signed by the CA's key is shown, the
-- CA authenticates and provisions nothing. CAs added before were trusted on upload: they start over.
ALTER TABLE ca_certificates ADD COLUMN verification_code text;
ALTER TABLE ca_certificates ADD COLUMN verified_at timestamptz;
UPDATE ca_certificates SET verification_code = replace(gen_random_uuid()::text || gen_random_uuid()::text, '-', '');
ALTER TABLE ca_certificates ADD CONSTRAINT ca_certificates_verified_or_code
  CHECK ((verified_at IS NULL) <> (verification_code IS NULL));

-- The certificate chose the device (and its tenant) through these; nothing looks certificates up
-- across tenants any more.
DROP FUNCTION app_device_by_certificate(text);
DROP FUNCTION app_ca_by_subject(text, text);
DROP POLICY owner_read ON device_certificates;
DROP POLICY owner_read ON ca_certificates;
DROP POLICY owner_read ON revoked_certificates;

-- A device that names itself by id: the tenant its row belongs to, and nothing else. The
-- certificate is then checked inside that tenant, under its row-level security.
CREATE FUNCTION app_tenant_of_device(p_device uuid) RETURNS uuid
  LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public, pg_temp
  AS $$ SELECT tenant_id FROM devices WHERE id = p_device $$;

REVOKE ALL ON FUNCTION app_tenant_of_device(uuid) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION app_tenant_of_device(uuid) TO "${app_role}";
