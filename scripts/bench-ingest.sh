#!/usr/bin/env bash
# Ingest stages benchmark (docs/benchmarks.md, "Ingest stages"): for this checkout, or each checkout
# directory given, starts a fresh instance of the platform (a data directory and database of its
# own, dropped afterwards) with a JFR profile, then runs this checkout's MQTT load generator through
# the stages on the same connections: MQTT 3.1.1, QoS 1, 3 points a message, no device timestamps,
# stored rows counted against PUBACKs at the end. Each checkout is built by its own ./iiot start.
#   ./scripts/bench-ingest.sh [checkout-dir ...]
# BENCH_STAGES (2000,5000,8000,10000,13000,17000)  BENCH_DEVICES (10000)  BENCH_DURATION (45 s a stage)
# BENCH_WARMUP (10 s a stage)  BENCH_JFR (profile: JFR settings, or none)  BENCH_TAG (added to the output
# directory's name)  BENCH_JAVA_OPTS (more options for the server's JVM)
# BENCH_AGE (minutes, 0): before the stages, the instance runs that long as one that outside checks
# have used: again and again a new tenant of BENCH_DEVICES devices, provisioned through the API, at
# BENCH_AGE_RATE (2000) msg/s for 4 minutes; its output in aging.txt. BENCH_LOCK (a file): the stages
# wait for this lock (flock), the aging does not, so that other work can use the lock meanwhile; not a
# build of the same checkout, though: the server runs from its jar, and a rebuilt jar ends it.
# BENCH_PG_PROFILE (1: in each stage, 20 s of PostgreSQL's side: commits, rows and WAL per second into
# postgres.txt, its busiest functions sampled with perf into pg-<rate>.txt, when perf is installed, and
# the statements its busy backends run, sampled every 100 ms, into pg-<rate>-queries.txt)
# BENCH_NODES (1): with 2 or more, a Kafka broker (./iiot kafka) and that many nodes (./iiot start --node N,
# insa.queue=kafka) on the one database; the load generator spreads the devices over the nodes' MQTT
# ports in turn, as a load balancer would. BENCH_SOAK (minutes, 0): instead of the stages, the first
# stage's rate for that long, with a line a minute (sent, acknowledged, PUBACK p99, errors; per node
# RSS, heap after GC, ingest queue depth) in loadgen.txt.
# Output, per checkout in target/bench-ingest/<checkout name>/: each node's log (server.log, then
# server-node2.log, ...), JFR profile (server.jfr, server-node2.jfr, ...) and GC log (gc.log, ...), the
# ingest metrics at the end (metrics.txt, node 1's).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
here=$(pwd)
checkouts=("$@")
[[ ${#checkouts[@]} -gt 0 ]] || checkouts=("$here")
stages=${BENCH_STAGES:-2000,5000,8000,10000,13000,17000}
devices=${BENCH_DEVICES:-10000} duration=${BENCH_DURATION:-45} warmup=${BENCH_WARMUP:-10}
jfr=${BENCH_JFR:-profile}
pg_profile=${BENCH_PG_PROFILE:-0}
age=${BENCH_AGE:-0} age_rate=${BENCH_AGE_RATE:-2000}
nodes=${BENCH_NODES:-1} soak=${BENCH_SOAK:-0}
# shellcheck source=lib.sh
source scripts/lib.sh

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
    # what the busy backends run: pg_stat_activity sampled every 100 ms, from one connection
    for _ in $(seq 200); do
      echo "SELECT regexp_replace(query, '\\s+', ' ', 'g') FROM pg_stat_activity
              WHERE state = 'active' AND backend_type = 'client backend' AND pid <> pg_backend_pid();"
      echo "SELECT pg_sleep(0.1);"
    done | su postgres -c "psql -XAtq -d postgres" 2>/dev/null | grep . | sort | uniq -c | sort -rn \
      >"$out/pg-$rate-queries.txt" &
    if command -v perf >/dev/null; then
      perf record -q -F 499 -u postgres -o "$out/pg-$rate.perf" -- sleep 20 </dev/null >/dev/null 2>&1
    else
      sleep 20
    fi
    wait
    after=$(pg_counters </dev/null)
    read -r c0 i0 u0 w0 <<<"$before"
    read -r c1 i1 u1 w1 <<<"$after"
    printf 'stage %s msg/s: %d commits/s, %d rows inserted/s, %d rows updated/s, %.1f MB WAL/s\n' "$rate" \
      $(((c1 - c0) / 20)) $(((i1 - i0) / 20)) $(((u1 - u0) / 20)) "$(echo "($w1 - $w0) / 20 / 1000000" | bc -l)" \
      >>"$out/postgres.txt"
  done
}

drop_bench_database() {
  su postgres -c "psql -XAtq -d postgres -c 'DROP DATABASE IF EXISTS \"$INSA_DB_NAME\" WITH (FORCE)' \
    -c 'DROP ROLE IF EXISTS \"$INSA_DB_APP_USER\"' -c 'DROP ROLE IF EXISTS \"$INSA_DB_OWNER_USER\"'" \
    </dev/null >/dev/null 2>&1 || true
}

echo "machine: $(nproc) cores, $(awk '/MemTotal/ {printf "%.0f GiB", $2/1048576}' /proc/meminfo), $(uname -sr)"
echo "method:  fresh instance per checkout (./iiot start, own database), ./loadgen.sh mqtt --mqtt-version 3"
echo "         --qos 1 --points 3 --devices $devices --stages $stages --warmup $warmup --duration $duration"
((nodes == 1)) || echo "         $nodes nodes on one Kafka broker (./iiot kafka, ./iiot start --node N), devices spread over them"
((soak == 0)) || echo "         soak: ${stages%%,*} msg/s for $soak min"
for checkout in "${checkouts[@]}"; do
  checkout=$(cd "$checkout" && pwd)
  name=$(basename "$checkout")-$(git -C "$checkout" rev-parse --short HEAD)${BENCH_TAG:+-$BENCH_TAG}
  out=$here/target/bench-ingest/$name
  rm -rf "$out" && mkdir -p "$out"
  export INSA_DATADIR=$out/data
  # a database and roles named for the run, so that a checkout from before per-instance databases
  # (it would use "insa") starts on an empty database of its own as well
  db=bench_$(tr -c 'a-z0-9\n' _ <<<"${name,,}")
  export INSA_DB_NAME=$db INSA_DB_OWNER_USER=${db}_owner INSA_DB_APP_USER=${db}_app
  # passwords given to both the server and the load generator, whichever way the checkout's ./iiot
  # keeps its own
  export INSA_DB_OWNER_PASSWORD=$(openssl rand -hex 16) INSA_DB_APP_PASSWORD=$(openssl rand -hex 16)
  drop_bench_database
  echo
  echo "== $name ($checkout)"
  pids=() servers=() ports=() managements=() gclogs=() kafka_opts=()
  # a run that fails half-way must not leave its servers holding the ports for the next one, nor its
  # PostgreSQL monitor following the output
  monitor=""
  # (each step may find nothing left to stop; under set -e a failed one would end the trap early
  # and give the whole run exit status 1)
  trap 'for p in "${servers[@]}" "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
        [[ -z $monitor ]] || { pkill -P "$monitor"; kill "$monitor"; } 2>/dev/null || true' EXIT
  if ((nodes > 1)); then
    kafka_port=$(free_port_pair)
    (cd "$checkout" && INSA_KAFKA_PORT=$kafka_port exec ./iiot kafka >"$out/kafka.log" 2>&1) &
    pids+=($!)
    until (echo >"/dev/tcp/127.0.0.1/$kafka_port") 2>/dev/null; do
      kill -0 "${pids[0]}" 2>/dev/null || { tail -30 "$out/kafka.log" >&2; exit 1; }
      sleep 0.5
    done
    kafka_opts=(--insa.kafka.bootstrap-servers="127.0.0.1:$kafka_port")
  fi
  for ((n = 1; n <= nodes; n++)); do
    suffix=$( ((n == 1)) || echo "-node$n")
    opts="${BENCH_JAVA_OPTS:-} -Xlog:gc:file=$out/gc$suffix.log"
    [[ $jfr == none ]] || opts="$opts -XX:StartFlightRecording=filename=$out/server$suffix.jfr,settings=$jfr,dumponexit=true"
    node=()
    ((nodes == 1)) || node=(--node "$n" "${kafka_opts[@]}")
    # the AOT cache would add a training run to each fresh start; start-up is not what this measures
    (cd "$checkout" && INSA_AOT_CACHE=off INSA_JAVA_OPTS="$opts" exec ./iiot start ${node[@]+"${node[@]}"} \
      >"$out/server$suffix.log" 2>&1) &
    pid=$!
    pids+=($pid)
    shift_by=$(((n - 1) * 100))
    started=$(date +%s)
    until curl -fsS "http://127.0.0.1:$((8080 + shift_by))/api/v1/health" 2>/dev/null | grep -q UP; do
      kill -0 "$pid" 2>/dev/null || { tail -30 "$out/server$suffix.log" >&2; exit 1; }
      (($(date +%s) - started < 900)) || { echo "node $n not ready after 900 s" >&2; exit 1; }
      sleep 0.5
    done
    servers+=("$(pgrep -n -f -- "-Xlog:gc:file=$out/gc$suffix.log")")
    ports+=($((1883 + shift_by)))
    managements+=("http://127.0.0.1:$((8081 + shift_by))")
    gclogs+=("$out/gc$suffix.log")
  done
  server=${servers[0]}
  join() { local IFS=,; echo "$*"; }
  spread=(--mqtt-port "$(join "${ports[@]}")" --server-pid "$(join "${servers[@]}")"
    --management-url "$(join "${managements[@]}")" --gc-logs "$(join "${gclogs[@]}")")
  # CPU seconds of the platform, of every PostgreSQL process, of the load generator and of the whole
  # machine (whatever else ran is the difference), every 10 s
  (while kill -0 "$server" 2>/dev/null; do
     gen=$(pgrep -f "loadgen.jar" -n || true)
     platform=0
     for s in "${servers[@]}"; do platform=$((platform + $(cpu_seconds "$s"))); done
     broker=$(pgrep -f "$out/data/kafka/server.properties" -n || true)
     printf '%s platform %s%s postgres %s loadgen %s machine %s\n' "$(date +%T)" "$platform" \
       "$( [[ -z $broker ]] || echo " kafka $(cpu_seconds "$broker")")" \
       "$(ps -u postgres -o times= | awk '{s += $1} END {print s + 0}')" \
       "$( [[ -n $gen ]] && cpu_seconds "$gen" || echo 0)" \
       "$(awk '/^cpu / {print int(($2 + $3 + $4 + $7 + $8 + $9) / 100)}' /proc/stat)"
     sleep 10
   done >"$out/cpu.txt") &
  if ((age > 0)); then
    aged_until=$(($(date +%s) + age * 60))
    echo "aging: tenants of $devices devices at $age_rate msg/s for $age minutes (aging.txt)"
    while (($(date +%s) < aged_until)); do
      ./loadgen.sh mqtt --mqtt-version 3 --qos 1 --points 3 --devices "$devices" --stages "$age_rate" \
        --warmup 10 --duration 240 --server-pid "$server" \
        --admin-password-file "$INSA_DATADIR/admin-password.txt" 2>&1 | grep -Ev '^(progress|second):' >>"$out/aging.txt"
    done
    echo "aged:  $(grep -c '^result:' "$out/aging.txt") runs, $(ps -o rss= -p "$server" | awk '{printf "%.0f MiB", $1/1024}') RSS"
  fi
  if [[ -n ${BENCH_LOCK:-} ]]; then
    exec {lock}>"$BENCH_LOCK"
    flock "$lock"
  fi
  : >"$out/loadgen.txt"
  if [[ $pg_profile == 1 ]]; then
    pg_stage_profiles "$out" &
    monitor=$!
  fi
  soaking=()
  ((soak == 0)) || soaking=(--soak-minutes "$soak" --rate "${stages%%,*}")
  ./loadgen.sh mqtt --mqtt-version 3 --qos 1 --points 3 --devices "$devices" --stages "$stages" \
    --warmup "$warmup" --duration "$duration" "${spread[@]}" ${soaking[@]+"${soaking[@]}"} \
    --admin-password-file "$INSA_DATADIR/admin-password.txt" | tee "$out/loadgen.txt" | grep -Ev '^(progress|second):'
  [[ -z $monitor ]] || pkill -P "$monitor" 2>/dev/null || true
  # the tables' updates (HOT or not), vacuums and analyzes during the run
  su postgres -c "psql -XAq -d $INSA_DB_NAME -c \"SELECT relname, n_tup_ins, n_tup_upd, n_tup_hot_upd,
      n_dead_tup, autovacuum_count, autoanalyze_count FROM pg_stat_user_tables
      WHERE n_tup_ins + n_tup_upd > 1000 ORDER BY n_tup_ins + n_tup_upd DESC\"" >"$out/tables.txt" 2>&1 || true
  # the server's own ingest and transport counters at the end of the run
  curl -fsS "http://127.0.0.1:${MANAGEMENT_SERVER_PORT:-8081}/actuator/prometheus" 2>/dev/null \
    | grep -E '^insa_(ingest|transport)' >"$out/metrics.txt" || true
  for p in "${servers[@]}"; do kill "$p" 2>/dev/null || true; done
  # the nodes first, then the broker (the first started)
  for ((i = ${#pids[@]} - 1; i >= 0; i--)); do
    kill "${pids[i]}" 2>/dev/null || true
    wait "${pids[i]}" 2>/dev/null || true
  done
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
  drop_bench_database
  # the next checkout's lock is taken on a new descriptor, which this one's would block for good
  if [[ -n ${lock:-} ]]; then
    exec {lock}>&-
    lock=""
  fi
done
