-- Devices, their credentials and attributes; telemetry storage (range-partitioned by day), key
-- dictionary, latest values and daily usage counters. Same isolation model as V1.

CREATE TABLE devices (
  id            uuid PRIMARY KEY,
  tenant_id     uuid NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
  name          text NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
  type          text NOT NULL CHECK (length(type) BETWEEN 1 AND 100),
  labels        jsonb NOT NULL DEFAULT '{}'::jsonb,
  created_at    timestamptz NOT NULL,
  updated_at    timestamptz NOT NULL,
  last_seen_at  timestamptz,
  connected     boolean NOT NULL DEFAULT false,
  UNIQUE (tenant_id, name)
);
CREATE INDEX devices_tenant_created_idx ON devices (tenant_id, created_at, id);
CREATE INDEX devices_tenant_type_idx ON devices (tenant_id, type, created_at);

-- How a device proves who it is: an access token (HTTP, CoAP, AMQP, MQTT username) or MQTT basic
-- credentials. Secrets are stored as hashes only.
CREATE TABLE device_credentials (
  device_id      uuid PRIMARY KEY REFERENCES devices (id) ON DELETE CASCADE,
  tenant_id      uuid NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
  token_hash     text NOT NULL UNIQUE,
  mqtt_client_id text,
  mqtt_username  text UNIQUE,
  mqtt_password_hash text,
  rotated_at     timestamptz NOT NULL,
  CHECK ((mqtt_username IS NULL) = (mqtt_password_hash IS NULL))
);
CREATE INDEX device_credentials_tenant_idx ON device_credentials (tenant_id, device_id);

CREATE TABLE device_attributes (
  tenant_id   uuid NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
  device_id   uuid NOT NULL REFERENCES devices (id) ON DELETE CASCADE,
  key         text NOT NULL,
  value       jsonb NOT NULL,
  updated_at  timestamptz NOT NULL,
  PRIMARY KEY (tenant_id, device_id, key)
);

-- Telemetry keys per tenant, so that rows carry a small integer instead of the name.
CREATE TABLE telemetry_keys (
  tenant_id  uuid NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
  id         integer GENERATED ALWAYS AS IDENTITY,
  key        text NOT NULL,
  PRIMARY KEY (tenant_id, id),
  UNIQUE (tenant_id, key)
);

-- One value per row; exactly one of the typed columns is set.
CREATE TABLE telemetry (
  tenant_id  uuid NOT NULL,
  device_id  uuid NOT NULL,
  key_id     integer NOT NULL,
  ts         timestamptz NOT NULL,
  long_v     bigint,
  double_v   double precision,
  bool_v     boolean,
  str_v      text,
  json_v     jsonb,
  PRIMARY KEY (tenant_id, device_id, key_id, ts)
) PARTITION BY RANGE (ts);

CREATE TABLE telemetry_latest (
  tenant_id  uuid NOT NULL,
  device_id  uuid NOT NULL,
  key_id     integer NOT NULL,
  ts         timestamptz NOT NULL,
  long_v     bigint,
  double_v   double precision,
  bool_v     boolean,
  str_v      text,
  json_v     jsonb,
  PRIMARY KEY (tenant_id, device_id, key_id)
);

-- Points and messages accepted per tenant and UTC day: the daily quota and the stats.
CREATE TABLE telemetry_usage (
  tenant_id  uuid NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
  day        date NOT NULL,
  points     bigint NOT NULL DEFAULT 0,
  messages   bigint NOT NULL DEFAULT 0,
  PRIMARY KEY (tenant_id, day)
);

DO $$
DECLARE t text;
BEGIN
  FOREACH t IN ARRAY ARRAY['devices', 'device_credentials', 'device_attributes', 'telemetry_keys',
                           'telemetry', 'telemetry_latest', 'telemetry_usage'] LOOP
    EXECUTE format('ALTER TABLE %I ENABLE ROW LEVEL SECURITY', t);
    EXECUTE format('ALTER TABLE %I FORCE ROW LEVEL SECURITY', t);
    EXECUTE format('CREATE POLICY tenant_isolation ON %I USING (tenant_id = app_current_tenant()) '
                   'WITH CHECK (tenant_id = app_current_tenant())', t);
  END LOOP;
END $$;
CREATE POLICY owner_read ON device_credentials FOR SELECT TO CURRENT_USER USING (true);
CREATE POLICY owner_read ON devices FOR SELECT TO CURRENT_USER USING (true);
CREATE POLICY owner_read ON telemetry FOR SELECT TO CURRENT_USER USING (true);

-- ---------------------------------------------------------------- named cross-tenant paths

-- Device authentication: the token is all a device has; its tenant comes from the row.
CREATE FUNCTION app_device_by_token(p_token_hash text)
  RETURNS TABLE (device_id uuid, tenant_id uuid, name text, type text)
  LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public
  AS $$ SELECT d.id, d.tenant_id, d.name, d.type
        FROM device_credentials c JOIN devices d ON d.id = c.device_id
        WHERE c.token_hash = p_token_hash $$;

-- MQTT basic authentication (used by the MQTT transport).
CREATE FUNCTION app_device_by_mqtt_username(p_username text)
  RETURNS TABLE (device_id uuid, tenant_id uuid, name text, type text, mqtt_client_id text,
                 mqtt_password_hash text)
  LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public
  AS $$ SELECT d.id, d.tenant_id, d.name, d.type, c.mqtt_client_id, c.mqtt_password_hash
        FROM device_credentials c JOIN devices d ON d.id = c.device_id
        WHERE c.mqtt_username = p_username $$;

-- Partitions are DDL, which only the owner may run: the writer asks for the day it needs.
CREATE FUNCTION app_ensure_telemetry_partition(p_day date) RETURNS text
  LANGUAGE plpgsql VOLATILE SECURITY DEFINER SET search_path = public
  AS $$
  DECLARE part text := 'telemetry_' || to_char(p_day, 'YYYYMMDD');
  BEGIN
    IF to_regclass(part) IS NULL THEN
      EXECUTE format('CREATE TABLE IF NOT EXISTS %I PARTITION OF telemetry FOR VALUES FROM (%L) TO (%L)',
                     part, p_day::timestamp AT TIME ZONE 'UTC', (p_day + 1)::timestamp AT TIME ZONE 'UTC');
    END IF;
    RETURN part;
  END $$;

-- Retention: whole partitions whose day ended before p_before go, oldest first.
CREATE FUNCTION app_drop_telemetry_partitions_before(p_before date) RETURNS integer
  LANGUAGE plpgsql VOLATILE SECURITY DEFINER SET search_path = public
  AS $$
  DECLARE r record; n integer := 0;
  BEGIN
    FOR r IN SELECT c.relname FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid
             WHERE i.inhparent = 'telemetry'::regclass AND c.relname ~ '^telemetry_[0-9]{8}$'
               AND to_date(substr(c.relname, 11), 'YYYYMMDD') < p_before
             ORDER BY c.relname LOOP
      EXECUTE format('DROP TABLE %I', r.relname);
      n := n + 1;
    END LOOP;
    RETURN n;
  END $$;

REVOKE ALL ON FUNCTION app_device_by_token(text), app_device_by_mqtt_username(text),
  app_ensure_telemetry_partition(date), app_drop_telemetry_partitions_before(date) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION app_device_by_token(text), app_device_by_mqtt_username(text),
  app_ensure_telemetry_partition(date), app_drop_telemetry_partitions_before(date) TO "${app_role}";

GRANT SELECT, INSERT, UPDATE, DELETE ON devices, device_credentials, device_attributes, telemetry_keys,
  telemetry, telemetry_latest, telemetry_usage TO "${app_role}";
