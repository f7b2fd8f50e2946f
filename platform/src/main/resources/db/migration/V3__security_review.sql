-- Hardening of the named cross-tenant paths (the SECURITY DEFINER functions):
--  * each one resolves names in public and then pg_temp, never pg_temp first: without pg_temp named
--    last, PostgreSQL searches the caller's temporary schema before public, where a caller could
--    plant a table that shadows one the function reads with the owner's rights;
--  * the retention functions the runtime role may call cannot cut deeper than the configured
--    retention, whatever cutoff they are given, so the runtime role cannot empty the audit log.

-- Settings that the runtime role must not be able to change: owned by the owner role, no grant to the
-- runtime role (it reads them only through the functions below). One row.
CREATE TABLE app_settings (
  id                    boolean PRIMARY KEY DEFAULT true CHECK (id),
  audit_retention_days  integer NOT NULL CHECK (audit_retention_days >= 1)
);
-- the configured insa.audit.retention-days; afterMigrate__app_settings.sql rewrites it at every start
INSERT INTO app_settings (audit_retention_days) VALUES (${audit_retention_days});

-- Retention: the only way rows leave the audit log. Rows younger than the configured retention stay,
-- whatever p_before says.
CREATE OR REPLACE FUNCTION app_audit_purge(p_before timestamptz) RETURNS bigint
  LANGUAGE plpgsql VOLATILE SECURITY DEFINER SET search_path = public, pg_temp
  AS $$
  DECLARE
    n bigint;
    floor_at timestamptz := now() - make_interval(days => (SELECT audit_retention_days FROM app_settings));
  BEGIN
    IF floor_at IS NULL THEN
      RAISE EXCEPTION 'app_settings holds no audit retention';
    END IF;
    DELETE FROM audit_log WHERE at < least(p_before, floor_at);
    GET DIAGNOSTICS n = ROW_COUNT;
    RETURN n;
  END $$;

-- Retention of whole partitions: a partition goes only once it is older than every tenant's
-- max_retention_days (at least one day, by the tenants table's check), whatever p_before says.
CREATE OR REPLACE FUNCTION app_drop_telemetry_partitions_before(p_before date) RETURNS integer
  LANGUAGE plpgsql VOLATILE SECURITY DEFINER SET search_path = public, pg_temp
  AS $$
  DECLARE
    r record;
    n integer := 0;
    floor_day date := (now() AT TIME ZONE 'UTC')::date
                      - coalesce((SELECT max(max_retention_days) FROM tenants), 1);
  BEGIN
    FOR r IN SELECT c.relname FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid
             WHERE i.inhparent = 'public.telemetry'::regclass AND c.relname ~ '^telemetry_[0-9]{8}$'
               AND to_date(substr(c.relname, 11), 'YYYYMMDD') < least(p_before, floor_day)
             ORDER BY c.relname LOOP
      EXECUTE format('DROP TABLE public.%I', r.relname);
      n := n + 1;
    END LOOP;
    RETURN n;
  END $$;

-- Every other SECURITY DEFINER function: public, then pg_temp.
DO $$
DECLARE f regprocedure;
BEGIN
  FOR f IN SELECT p.oid FROM pg_proc p
           WHERE p.prosecdef AND p.pronamespace = 'public'::regnamespace LOOP
    EXECUTE format('ALTER FUNCTION %s SET search_path = public, pg_temp', f);
  END LOOP;
END $$;
