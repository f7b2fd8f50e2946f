#!/usr/bin/env bash
# Bytes on disk per stored point, raw and compacted (docs/benchmarks.md, "Storage per point"):
#   ./scripts/bench-storage.sh [points]        (default 100000000)
# Makes a database of its own (a fresh data directory, database insa_bench_storage), migrates it by
# starting the platform once, then fills one old UTC day partition straight from SQL as ingest would
# have written it: 10,000 devices x 3 keys, a reading every 10 s in time order (a double that moves
# like a temperature sensor with 0.01 resolution, a long counter, a boolean that toggles every 15 min;
# half the devices stamp their readings to the millisecond, half are server-stamped with up to 50 ms
# of microsecond jitter). Measures pg_total_relation_size (table + indexes + TOAST) of the day's
# partition, starts the platform again so that its own compaction runs (insa.telemetry.compaction-
# interval=15s), waits until the raw partition is given back, measures the compacted partition, checks
# that every point is still there, and drops the database, its roles and the data directory.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
points=${1:-100000000}
devices=10000 keys=3
steps=$(( (points + devices * keys - 1) / (devices * keys) ))   # readings per series
day=$(date -u -d '3 days ago' +%F)
part="telemetry_${day//-/}"
compact="telemetry_compact_${day//-/}"

export INSA_DATADIR=${INSA_BENCH_DATADIR:-$(mktemp -d /tmp/insa-bench-storage.XXXXXX)}
export INSA_DB_NAME=insa_bench_storage
eval "$(./iiot env | grep '^export ')"
export PGPASSWORD=$INSA_DB_OWNER_PASSWORD
psql_owner() { psql -X -q -v ON_ERROR_STOP=1 -h 127.0.0.1 -p "$INSA_DB_PORT" -U "$INSA_DB_OWNER_USER" -d "$INSA_DB_NAME" "$@"; }
log=$INSA_DATADIR/platform.log
# no listeners beyond HTTP on a free port: the benchmark needs the platform's migrations and compaction only
server_args=(--server.port=0 --management.server.port=0 --insa.https.enabled=false --insa.mqtt.enabled=false
  --insa.mqtt.tls.enabled=false --insa.coap.enabled=false --insa.amqp.enabled=false --insa.amqp.tls.enabled=false)

start_platform() {
  ./iiot start "${server_args[@]}" "$@" >"$log" 2>&1 &
  platform=$!
  until grep -q 'Started IiotApplication' "$log"; do
    kill -0 "$platform" 2>/dev/null || { tail -50 "$log" >&2; exit 1; }
    sleep 0.5
  done
}
stop_platform() { kill "$platform" 2>/dev/null || true; wait "$platform" 2>/dev/null || true; }
cleanup() {
  stop_platform
  psql -X -q -h 127.0.0.1 -p "$INSA_DB_PORT" -U "$INSA_DB_OWNER_USER" -d postgres \
    -c "DROP DATABASE IF EXISTS $INSA_DB_NAME WITH (FORCE)" || true
  (cd / && runuser -u postgres -- psql -X -q -p "$INSA_DB_PORT" -d postgres \
    -c "DROP ROLE IF EXISTS ${INSA_DB_NAME}_app" -c "DROP ROLE IF EXISTS ${INSA_DB_NAME}_owner") 2>/dev/null || true
  [[ -n ${INSA_BENCH_DATADIR:-} ]] || rm -rf "$INSA_DATADIR"
}
trap cleanup EXIT

echo "machine:  $(nproc) cores, $(awk '/MemTotal/ {printf "%.0f GiB", $2/1048576}' /proc/meminfo), $(uname -sr), $(df -h --output=avail / | tail -1 | tr -d ' ') free"
echo "postgres: $(psql_owner -Atc 'SHOW server_version') (default_toast_compression $(psql_owner -Atc 'SHOW default_toast_compression'), shared_buffers $(psql_owner -Atc 'SHOW shared_buffers'))"
echo "data:     $devices devices x $keys keys x $steps readings every 10 s = $(( devices * keys * steps )) points on $day"

start_platform --insa.telemetry.compaction-interval=1000h   # migrations only
stop_platform

tenant=$(psql_owner -Atc "SELECT gen_random_uuid()")
t0=$(date +%s)
psql_owner <<SQL
INSERT INTO tenants (id, name, slug, status, max_devices, max_users, max_telemetry_points_per_day,
                     max_retention_days, max_messages_per_second, created_at, updated_at)
VALUES ('$tenant', 'Storage benchmark', 'storage-benchmark', 'active', $devices, 10, 1000000000, 30, 100000, now(), now());
SET app.tenant_id = '$tenant';
INSERT INTO devices (id, tenant_id, name, type, created_at, updated_at)
SELECT gen_random_uuid(), '$tenant', 'sensor-' || n, 'sensor', now(), now() FROM generate_series(1, $devices) n;
INSERT INTO telemetry_keys (tenant_id, key) VALUES ('$tenant', 'temperature'), ('$tenant', 'counter'), ('$tenant', 'running');
SELECT app_ensure_telemetry_partition('$day') \\gset
SQL
# in time order, ten minutes of readings of every series a statement, as ingest writes them
for (( from = 0; from < steps; from += 60 )); do
  to=$(( from + 59 < steps - 1 ? from + 59 : steps - 1 ))
  psql_owner <<SQL
SET app.tenant_id = '$tenant';
CREATE TEMP TABLE series AS
  SELECT f.n, f.id, k.id AS key_id, k.key
  FROM (SELECT row_number() OVER (ORDER BY id)::int AS n, id FROM devices) f, telemetry_keys k;
INSERT INTO $part (tenant_id, device_id, key_id, ts, long_v, double_v, bool_v)
SELECT '$tenant', s.id, s.key_id,
       timestamptz '$day 00:00+00' + p * interval '10 s' + (s.n % 7) * interval '1 s'
         + CASE WHEN s.n % 2 = 0 THEN (random() * 50000)::int * interval '1 microsecond' ELSE interval '0' END,
       CASE WHEN s.key = 'counter' THEN s.n * 100000 + p * 3 + (p * s.n) % 2 END,
       CASE WHEN s.key = 'temperature'
            THEN round((21 + 4 * sin(p / 360.0 + s.n) + (random() - 0.5) * 0.3)::numeric, 2)::float8 END,
       CASE WHEN s.key = 'running' THEN (p / 90 + s.n) % 4 <> 0 END
FROM generate_series($from, $to) p, series s
ORDER BY p, s.n;
SQL
done
psql_owner -c "ANALYZE $part" >/dev/null
stored=$(psql_owner -Atc "SET app.tenant_id = '$tenant'; SELECT count(*) FROM $part" | tail -1)
raw_bytes=$(psql_owner -Atc "SELECT pg_total_relation_size('$part')")
echo "filled:   $stored points in $(( $(date +%s) - t0 )) s"
echo "raw:      $raw_bytes bytes: $(awk -v b="$raw_bytes" -v n="$stored" 'BEGIN { printf "%.1f", b / n }') bytes/point" \
  "(heap $(psql_owner -Atc "SELECT pg_relation_size('$part')"), indexes $(psql_owner -Atc "SELECT pg_indexes_size('$part')"))"

t0=$(date +%s)
start_platform --insa.telemetry.compaction-interval=15s
until grep -q 'telemetry compaction: ' "$log"; do
  kill -0 "$platform" 2>/dev/null || { tail -50 "$log" >&2; exit 1; }
  grep -q 'telemetry compaction stopped' "$log" && { grep 'telemetry compaction' "$log" >&2; exit 1; }
  sleep 2
done
echo "compacted: $(grep -o 'telemetry compaction: .*' "$log" | head -1) (wall $(( $(date +%s) - t0 )) s with start-up)"
# the next run gives the raw partition's files back
until (( $(psql_owner -Atc "SELECT pg_relation_size('$part')") == 0 )); do sleep 2; done
stop_platform

psql_owner -c "ANALYZE $compact" >/dev/null
compact_bytes=$(psql_owner -Atc "SELECT pg_total_relation_size('$compact')")
left_bytes=$(psql_owner -Atc "SELECT pg_total_relation_size('$part')")
psql_owner -At <<SQL
SET app.tenant_id = '$tenant';
SELECT 'kept:     ' || sum(n) || ' points in ' || count(*) || ' hour rows (' || round(avg(n)) || ' points a row)'
FROM $compact;
SELECT 'by key:   ' || string_agg(key || ' ' || b, ', ' ORDER BY key) || ' bytes/point in the rows (whole rows, before indexes)'
FROM (SELECT k.key, round(sum(pg_column_size(c.*))::numeric / sum(c.n), 2) AS b
      FROM $compact c JOIN telemetry_keys k ON k.id = c.key_id GROUP BY k.key) x;
SELECT 'stamps:   ' || string_agg(kind || ' ' || b, ', ') || ' bytes/point of timestamps (ts_delta)'
FROM (SELECT CASE WHEN f.n % 2 = 0 THEN 'server-stamped (jitter)' ELSE 'device-stamped (regular)' END AS kind,
             round(sum(pg_column_size(c.ts_delta))::numeric / sum(c.n), 2) AS b
      FROM $compact c JOIN (SELECT row_number() OVER (ORDER BY id)::int AS n, id FROM devices) f ON f.id = c.device_id
      GROUP BY 1 ORDER BY 1) x;
SQL
kept=$(psql_owner -Atc "SET app.tenant_id = '$tenant'; SELECT sum(n) FROM $compact" | tail -1)
[[ $kept == "$stored" ]] || { echo "points lost or doubled: $stored stored, $kept compacted" >&2; exit 1; }
echo "compact:  $compact_bytes bytes (+ $left_bytes left of the raw partition):" \
  "$(awk -v b="$((compact_bytes + left_bytes))" -v n="$stored" 'BEGIN { printf "%.2f", b / n }') bytes/point" \
  "(heap $(psql_owner -Atc "SELECT pg_relation_size('$compact')"), indexes $(psql_owner -Atc "SELECT pg_indexes_size('$compact')"), TOAST $(psql_owner -Atc "SELECT coalesce(pg_total_relation_size(reltoastrelid), 0) FROM pg_class WHERE relname = '$compact'"))"
