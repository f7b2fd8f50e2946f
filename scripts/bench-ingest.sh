#!/usr/bin/env bash
# Ingest stages benchmark (docs/benchmarks.md, "Ingest stages"): for this checkout, or each checkout
# directory given, starts a fresh instance of the platform (a data directory and database of its
# own, dropped afterwards) with a JFR profile, then runs this checkout's MQTT load generator through
# the stages on the same connections: MQTT 3.1.1, QoS 1, 3 points a message, no device timestamps,
# stored rows counted against PUBACKs at the end. Each checkout is built by its own ./iiot start.
#   ./scripts/bench-ingest.sh [checkout-dir ...]
# BENCH_STAGES (2000,5000,8000,10000,13000,17000)  BENCH_DEVICES (10000)  BENCH_DURATION (45 s a stage)
# BENCH_WARMUP (10 s a stage)  BENCH_JFR (profile: JFR settings, or none)
# BENCH_PG_PROFILE (1: in each stage, 20 s of PostgreSQL's side: commits, rows and WAL per second into
# postgres.txt, and its busiest functions sampled with perf into pg-<rate>.txt, when perf is installed)
# Output, the server's log and server.jfr per checkout: target/bench-ingest/<checkout name>/.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
here=$(pwd)
checkouts=("$@")
[[ ${#checkouts[@]} -gt 0 ]] || checkouts=("$here")
stages=${BENCH_STAGES:-2000,5000,8000,10000,13000,17000}
devices=${BENCH_DEVICES:-10000} duration=${BENCH_DURATION:-45} warmup=${BENCH_WARMUP:-10}
jfr=${BENCH_JFR:-profile}
pg_profile=${BENCH_PG_PROFILE:-0}

# user + system CPU seconds a process has used so far
cpu_seconds() { ps -p "$1" -o times= 2>/dev/null | tr -d ' ' || echo 0; }

# PostgreSQL's counters over every database: commits, rows inserted, rows updated, WAL bytes
pg_counters() {
  su postgres -c "psql -XAtq -F ' ' -c \"SELECT sum(xact_commit), sum(tup_inserted), sum(tup_updated),
    pg_wal_lsn_diff(pg_current_wal_lsn(), '0/0')::bigint FROM pg_stat_database\""
}

# Follows the load generator's output; 5 s after each stage's warm-up, 20 s of PostgreSQL's side
pg_stage_profiles() {
  local out=$1 line rate before after
  tail -F -n +1 "$out/loadgen.txt" 2>/dev/null | while read -r line; do
    [[ $line =~ ^stage:\ +([0-9]+)\ msg/s ]] || continue
    rate=${BASH_REMATCH[1]}
    sleep $((warmup + 5))
    before=$(pg_counters </dev/null)
    if command -v perf >/dev/null; then
      perf record -q -F 499 -u postgres -o "$out/pg-$rate.perf" -- sleep 20 </dev/null >/dev/null 2>&1
    else
      sleep 20
    fi
    after=$(pg_counters </dev/null)
    read -r c0 i0 u0 w0 <<<"$before"
    read -r c1 i1 u1 w1 <<<"$after"
    printf 'stage %s msg/s: %d commits/s, %d rows inserted/s, %d rows updated/s, %.1f MB WAL/s\n' "$rate" \
      $(((c1 - c0) / 20)) $(((i1 - i0) / 20)) $(((u1 - u0) / 20)) "$(echo "($w1 - $w0) / 20 / 1000000" | bc -l)" \
      >>"$out/postgres.txt"
  done
}

echo "machine: $(nproc) cores, $(awk '/MemTotal/ {printf "%.0f GiB", $2/1048576}' /proc/meminfo), $(uname -sr)"
echo "method:  fresh instance per checkout (./iiot start, own database), ./loadgen.sh mqtt --mqtt-version 3"
echo "         --qos 1 --points 3 --devices $devices --stages $stages --warmup $warmup --duration $duration"
for checkout in "${checkouts[@]}"; do
  checkout=$(cd "$checkout" && pwd)
  name=$(basename "$checkout")-$(git -C "$checkout" rev-parse --short HEAD)
  out=$here/target/bench-ingest/$name
  rm -rf "$out" && mkdir -p "$out"
  export INSA_DATADIR=$out/data
  opts=""
  [[ $jfr == none ]] || opts="-XX:StartFlightRecording=filename=$out/server.jfr,settings=$jfr,dumponexit=true"
  echo
  echo "== $name ($checkout)"
  # the AOT cache would add a training run to each fresh start; start-up is not what this measures
  (cd "$checkout" && INSA_AOT_CACHE=off INSA_JAVA_OPTS="$opts" exec ./iiot start >"$out/server.log" 2>&1) &
  pid=$!
  # a run that fails half-way must not leave its server holding the ports for the next one
  trap 'pkill -f "$out/server.jfr" 2>/dev/null; kill "$pid" 2>/dev/null' EXIT
  started=$(date +%s)
  until curl -fsS http://127.0.0.1:8080/api/v1/health 2>/dev/null | grep -q UP; do
    kill -0 "$pid" 2>/dev/null || { tail -30 "$out/server.log" >&2; exit 1; }
    (($(date +%s) - started < 900)) || { echo "not ready after 900 s" >&2; kill "$pid"; exit 1; }
    sleep 0.5
  done
  server=$(pgrep -f "platform.jar" -n)
  # CPU seconds of the platform, of every PostgreSQL process and of the load generator, every 10 s
  (while kill -0 "$server" 2>/dev/null; do
     gen=$(pgrep -f "loadgen.jar" -n || true)
     printf '%s platform %s postgres %s loadgen %s\n' "$(date +%T)" "$(cpu_seconds "$server")" \
       "$(ps -u postgres -o times= | awk '{s += $1} END {print s + 0}')" \
       "$( [[ -n $gen ]] && cpu_seconds "$gen" || echo 0)"
     sleep 10
   done >"$out/cpu.txt") &
  : >"$out/loadgen.txt"
  monitor=""
  if [[ $pg_profile == 1 ]]; then
    pg_stage_profiles "$out" &
    monitor=$!
  fi
  ./loadgen.sh mqtt --mqtt-version 3 --qos 1 --points 3 --devices "$devices" --stages "$stages" \
    --warmup "$warmup" --duration "$duration" --server-pid "$server" \
    --admin-password-file "$INSA_DATADIR/admin-password.txt" | tee "$out/loadgen.txt" | grep -v '^progress:'
  [[ -z $monitor ]] || pkill -P "$monitor" 2>/dev/null || true
  kill "$server" 2>/dev/null || true
  wait "$pid" 2>/dev/null || true
  if [[ -f $out/postgres.txt ]]; then
    cat "$out/postgres.txt"
    # read after the run: resolving symbols takes a core for a while
    for f in "$out"/pg-*.perf; do
      [[ -f $f ]] || continue
      { perf report -i "$f" --stdio --sort sym 2>/dev/null | grep -v '^#' | grep . | head -40 || true; } \
        >"${f%.perf}.txt"
    done
  fi
  # the instance's database and roles go with it; the profile and logs stay
  (REPO=$checkout; source "$here/scripts/lib.sh"; drop_instance "$INSA_DATADIR") >/dev/null 2>&1 || true
done
