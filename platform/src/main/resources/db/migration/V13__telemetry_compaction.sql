-- Compaction of old telemetry days (SPEC 4.3): the points of a day older than
-- insa.telemetry.compact-after move from `telemetry` (one row a point) into `telemetry_compact`, one row
-- per device, key and hour holding the hour's points as arrays in time order. Readers see both tables
-- through telemetry_points(), so every answer stays the same; a point written later into a compacted
-- day lands in `telemetry` again and is merged by the next compaction.

CREATE TABLE telemetry_compact (
  tenant_id  uuid NOT NULL,
  device_id  uuid NOT NULL,
  key_id     integer NOT NULL,
  hour       timestamptz NOT NULL,   -- start of the UTC hour
  n          integer NOT NULL CHECK (n > 0),
  -- microseconds: the first point's from the hour, every further one's from the point before it
  -- (a regular series repeats one number, which compresses to almost nothing)
  ts_delta   bigint[] NOT NULL,
  -- one array per type the hour holds, n long with NULL where a point has another type; NULL when
  -- the hour holds no point of that type
  long_v     bigint[],
  double_v   double precision[],
  bool_v     boolean[],
  str_v      text[],
  json_v     jsonb[],
  PRIMARY KEY (tenant_id, device_id, key_id, hour),
  CHECK (cardinality(ts_delta) = n)
) PARTITION BY RANGE (hour);

-- The arrays are compressed inside the row (pglz, the default: it gave 20-30 % fewer bytes than lz4
-- on sensor series, docs/benchmarks.md) and leave it for the TOAST table only when a row outgrows a
-- page; a row under 2 kB (fewer than ~120 points) is stored as it is.
ALTER TABLE telemetry_compact
  ALTER ts_delta SET STORAGE MAIN, ALTER long_v SET STORAGE MAIN, ALTER double_v SET STORAGE MAIN,
  ALTER bool_v SET STORAGE MAIN, ALTER str_v SET STORAGE MAIN, ALTER json_v SET STORAGE MAIN;

ALTER TABLE telemetry_compact ENABLE ROW LEVEL SECURITY;
ALTER TABLE telemetry_compact FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON telemetry_compact
  USING (tenant_id = app_current_tenant()) WITH CHECK (tenant_id = app_current_tenant());
GRANT SELECT, INSERT, UPDATE, DELETE ON telemetry_compact TO "${app_role}";

-- The points of one compacted row, oldest first. Plain SQL, so the planner inlines it.
CREATE FUNCTION telemetry_unpack(p_hour timestamptz, p_ts_delta bigint[], p_long bigint[],
                                 p_double double precision[], p_bool boolean[], p_str text[], p_json jsonb[])
  RETURNS TABLE (ts timestamptz, long_v bigint, double_v double precision, bool_v boolean, str_v text,
                 json_v jsonb)
  LANGUAGE sql IMMUTABLE PARALLEL SAFE
  AS $$ SELECT p_hour + sum(u.d) OVER (ORDER BY u.i) * interval '1 microsecond', u.l, u.f, u.b, u.s, u.j
        FROM unnest(p_ts_delta, p_long, p_double, p_bool, p_str, p_json) WITH ORDINALITY AS u(d, l, f, b, s, j, i) $$;

-- Every point of a device's keys in [p_start, p_end), raw and compacted alike, in no particular
-- order. A raw point replaces a compacted one of the same key and time (a device's retry of a point
-- of a compacted day), as it would have replaced the raw row. Plain SQL run with the caller's rights:
-- inlined into the calling statement, under row-level security.
CREATE FUNCTION telemetry_points(p_device uuid, p_keys integer[], p_start timestamptz, p_end timestamptz)
  RETURNS TABLE (key_id integer, ts timestamptz, long_v bigint, double_v double precision, bool_v boolean,
                 str_v text, json_v jsonb)
  LANGUAGE sql STABLE
  AS $$
    SELECT t.key_id, t.ts, t.long_v, t.double_v, t.bool_v, t.str_v, t.json_v
    FROM telemetry t
    WHERE t.device_id = p_device AND t.key_id = ANY (p_keys) AND t.ts >= p_start AND t.ts < p_end
    UNION ALL
    SELECT c.key_id, p.ts, p.long_v, p.double_v, p.bool_v, p.str_v, p.json_v
    FROM telemetry_compact c
    CROSS JOIN LATERAL telemetry_unpack(c.hour, c.ts_delta, c.long_v, c.double_v, c.bool_v, c.str_v, c.json_v) p
    WHERE c.device_id = p_device AND c.key_id = ANY (p_keys)
      AND c.hour > p_start - interval '1 hour' AND c.hour < p_end
      AND p.ts >= p_start AND p.ts < p_end
      AND NOT EXISTS (SELECT 1 FROM telemetry r
                      WHERE r.device_id = p_device AND r.key_id = c.key_id AND r.ts = p.ts
                        AND r.ts >= p_start AND r.ts < p_end)
  $$;

REVOKE ALL ON FUNCTION telemetry_unpack(timestamptz, bigint[], bigint[], double precision[], boolean[], text[], jsonb[]),
  telemetry_points(uuid, integer[], timestamptz, timestamptz) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION telemetry_unpack(timestamptz, bigint[], bigint[], double precision[], boolean[], text[], jsonb[]),
  telemetry_points(uuid, integer[], timestamptz, timestamptz) TO "${app_role}";

-- Partitions of compacted days, one a day like the raw table's: DDL, so the owner's.
CREATE FUNCTION app_ensure_telemetry_compact_partition(p_day date) RETURNS text
  LANGUAGE plpgsql VOLATILE SECURITY DEFINER SET search_path = public, pg_temp
  AS $$
  DECLARE part text := 'telemetry_compact_' || to_char(p_day, 'YYYYMMDD');
  BEGIN
    IF to_regclass('public.' || part) IS NULL THEN
      EXECUTE format('CREATE TABLE IF NOT EXISTS public.%I PARTITION OF public.telemetry_compact '
                     'FOR VALUES FROM (%L) TO (%L)',
                     part, p_day::timestamp AT TIME ZONE 'UTC', (p_day + 1)::timestamp AT TIME ZONE 'UTC');
    END IF;
    RETURN part;
  END $$;

-- Gives the files of a compacted day's raw partition back once it holds no row (the compaction
-- deletes its rows batch by batch; dead rows and index entries would otherwise keep their space).
-- Only an empty partition is truncated, under a lock that keeps writers out meanwhile, so nothing can
-- be lost whoever calls it; it stays in place for points written later. A lock not had within 2 s
-- is not waited for: false, and the next run tries again. (Longer than deadlock_timeout, 1 s by
-- default: the autovacuum that the compaction's deletes start on the partition gives way to it then.)
CREATE FUNCTION app_release_telemetry_partition(p_day date) RETURNS boolean
  LANGUAGE plpgsql VOLATILE SECURITY DEFINER SET search_path = public, pg_temp SET lock_timeout = '2s'
  AS $$
  DECLARE part text := 'telemetry_' || to_char(p_day, 'YYYYMMDD');
  BEGIN
    IF to_regclass('public.' || part) IS NULL THEN
      RETURN false;
    END IF;
    BEGIN
      EXECUTE format('LOCK TABLE public.%I IN ACCESS EXCLUSIVE MODE', part);
    EXCEPTION WHEN lock_not_available THEN
      RETURN false;
    END;
    IF EXISTS (SELECT 1 FROM public.telemetry t
               WHERE t.ts >= p_day::timestamp AT TIME ZONE 'UTC' AND t.ts < (p_day + 1)::timestamp AT TIME ZONE 'UTC') THEN
      RETURN false;
    END IF;
    EXECUTE format('TRUNCATE public.%I', part);
    RETURN true;
  END $$;

-- Retention of whole partitions (as in V3), compacted days too: a partition goes only once it is
-- older than every tenant's max_retention_days, whatever p_before says.
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
             WHERE (i.inhparent = 'public.telemetry'::regclass AND c.relname ~ '^telemetry_[0-9]{8}$'
                    AND to_date(substr(c.relname, 11), 'YYYYMMDD') < least(p_before, floor_day))
                OR (i.inhparent = 'public.telemetry_compact'::regclass AND c.relname ~ '^telemetry_compact_[0-9]{8}$'
                    AND to_date(substr(c.relname, 19), 'YYYYMMDD') < least(p_before, floor_day))
             ORDER BY c.relname LOOP
      EXECUTE format('DROP TABLE public.%I', r.relname);
      n := n + 1;
    END LOOP;
    RETURN n;
  END $$;

REVOKE ALL ON FUNCTION app_ensure_telemetry_compact_partition(date), app_release_telemetry_partition(date)
  FROM PUBLIC;
GRANT EXECUTE ON FUNCTION app_ensure_telemetry_compact_partition(date), app_release_telemetry_partition(date)
  TO "${app_role}";
