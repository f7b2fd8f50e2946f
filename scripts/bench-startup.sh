#!/usr/bin/env bash
# Start-up benchmark: starts the built server N times (default 5) against the local database and
# reports the time until GET /api/v1/health answers UP, as seen from outside, and the JVM's own
# "Started ... in" figure, plus the resident memory once healthy. Run ./iiot start once first
# (or ./mvnw -DskipTests package) so that the jar exists and the schema is migrated.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
runs=${1:-5}
eval "$(./iiot env 2>/dev/null)"
jar=platform/target/platform.jar
[[ -f $jar ]] || { echo "build the server first: ./mvnw -B -q -DskipTests package" >&2; exit 1; }

echo "machine: $(nproc) cores, $(awk '/MemTotal/ {printf "%.0f GiB", $2/1048576}' /proc/meminfo), $(uname -sr)"
echo "java:    $("$JAVA_HOME/bin/java" -version 2>&1 | head -1)"
echo "method:  java -jar $jar, $runs runs, time from exec to /api/v1/health = UP"
port=18080
for i in $(seq 1 "$runs"); do
  log=$(mktemp)
  t0=$(date +%s%N)
  "$JAVA_HOME/bin/java" -jar "$jar" --server.port=$port >"$log" 2>&1 &
  pid=$!
  until curl -fsS "http://127.0.0.1:$port/api/v1/health" 2>/dev/null | grep -q UP; do sleep 0.05; done
  t1=$(date +%s%N)
  rss=$(awk '/VmRSS/ {printf "%.0f", $2/1024}' "/proc/$pid/status")
  started=$(sed -n 's/.*Started IiotApplication in \([0-9.]*\) seconds.*/\1/p' "$log")
  printf 'run %d: ready after %d ms (Spring: %s s), RSS %s MiB\n' "$i" $(((t1 - t0) / 1000000)) "$started" "$rss"
  kill "$pid"; wait "$pid" 2>/dev/null || true
  rm -f "$log"
done
