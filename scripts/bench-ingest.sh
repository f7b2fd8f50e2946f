#!/usr/bin/env bash
# Ingest stages benchmark (docs/benchmarks.md, "Ingest stages"): for this checkout, or each checkout
# directory given, starts a fresh instance of the platform (a data directory and database of its
# own, dropped afterwards) with a JFR profile, then runs this checkout's MQTT load generator through
# the stages on the same connections: MQTT 3.1.1, QoS 1, 3 points a message, no device timestamps,
# stored rows counted against PUBACKs at the end. Each checkout is built by its own ./iiot start.
#   ./scripts/bench-ingest.sh [checkout-dir ...]
# BENCH_STAGES (2000,5000,8000,10000,13000,17000)  BENCH_DEVICES (10000)  BENCH_DURATION (45 s a stage)
# BENCH_WARMUP (10 s a stage)  BENCH_JFR (profile: JFR settings, or none)
# Output, the server's log and server.jfr per checkout: target/bench-ingest/<checkout name>/.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
here=$(pwd)
checkouts=("$@")
[[ ${#checkouts[@]} -gt 0 ]] || checkouts=("$here")
stages=${BENCH_STAGES:-2000,5000,8000,10000,13000,17000}
devices=${BENCH_DEVICES:-10000} duration=${BENCH_DURATION:-45} warmup=${BENCH_WARMUP:-10}
jfr=${BENCH_JFR:-profile}

# user + system CPU seconds a process has used so far
cpu_seconds() { ps -p "$1" -o times= 2>/dev/null | tr -d ' ' || echo 0; }

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
  ./loadgen.sh mqtt --mqtt-version 3 --qos 1 --points 3 --devices "$devices" --stages "$stages" \
    --warmup "$warmup" --duration "$duration" --server-pid "$server" \
    --admin-password-file "$INSA_DATADIR/admin-password.txt" | tee "$out/loadgen.txt" | grep -v '^progress:'
  kill "$server" 2>/dev/null || true
  wait "$pid" 2>/dev/null || true
  # the instance's database and roles go with it; the profile and logs stay
  (REPO=$checkout; source "$here/scripts/lib.sh"; drop_instance "$INSA_DATADIR") >/dev/null 2>&1 || true
done
