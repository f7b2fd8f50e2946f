-- Anomaly detection (SPEC 7): what each tenant has switched on, and the detectors' checkpoints.

CREATE TABLE anomaly_settings (
  tenant_id   uuid PRIMARY KEY REFERENCES tenants (id) ON DELETE CASCADE,
  enabled     boolean NOT NULL,
  scope       jsonb NOT NULL,
  keys        text[] NOT NULL,
  updated_at  timestamptz NOT NULL
);

-- One detector per device and key, checkpointed now and then so that a restart does not start over.
CREATE TABLE anomaly_models (
  tenant_id   uuid NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
  device_id   uuid NOT NULL,
  key         text NOT NULL,
  state       bytea NOT NULL,
  seen        bigint NOT NULL,
  updated_at  timestamptz NOT NULL,
  PRIMARY KEY (device_id, key)
);
CREATE INDEX anomaly_models_tenant_idx ON anomaly_models (tenant_id);

DO $$
DECLARE t text;
BEGIN
  FOREACH t IN ARRAY ARRAY['anomaly_settings', 'anomaly_models'] LOOP
    EXECUTE format('ALTER TABLE %I ENABLE ROW LEVEL SECURITY', t);
    EXECUTE format('ALTER TABLE %I FORCE ROW LEVEL SECURITY', t);
    EXECUTE format('CREATE POLICY tenant_isolation ON %I USING (tenant_id = app_current_tenant()) '
                   'WITH CHECK (tenant_id = app_current_tenant())', t);
  END LOOP;
END $$;

GRANT SELECT, INSERT, UPDATE, DELETE ON anomaly_settings, anomaly_models TO "${app_role}";
