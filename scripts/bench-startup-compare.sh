#!/usr/bin/env bash
# Start-up of several builds or settings, measured alternately so that a machine getting slower or
# faster meanwhile weighs on each the same: `./iiot start` of each variant in turn, ROUNDS times, each
# run measured as scripts/bench-startup.sh measures it (from the command until GET /api/v1/health
# answers UP, polled every 20 ms), then every variant's runs and their median. A variant is a checkout
# (this one: .; another build: a directory with its own checkout, e.g. `git worktree add /tmp/main main`)
# optionally followed by environment settings for it, comma-separated:
#
#   scripts/bench-startup-compare.sh 10 /tmp/main . .,INSA_SPRING_AOT=off,INSA_DATADIR=/tmp/no-spring-aot
#
# Each variant starts once first, unmeasured (it builds the jar when its sources changed, makes its AOT
# cache, migrates its database). A variant's data directory is its checkout's data/ unless it sets
# INSA_DATADIR; two variants that would make different AOT caches need different data directories
# (a new cache removes the others). The default ports are used, so nothing else may listen on them.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
[[ $# -ge 2 ]] || { sed -n '2,14s/^# \{0,1\}//p' "$0" >&2; exit 2; }
rounds=$1
shift
variants=("$@")
port=${SERVER_PORT:-8080}
work=$(mktemp -d)
pid=
cleanup() {
  [[ -n $pid ]] && kill "$pid" 2>/dev/null && wait "$pid" 2>/dev/null
  rm -rf "$work"
}
trap cleanup EXIT

source scripts/startup-timing.sh

# start VARIANT LOG: starts a variant ("dir" or "dir,VAR=value,...") and waits until it is healthy.
start() {
  local dir rest settings=()
  IFS=, read -r dir rest <<<"$1"
  [[ -n ${rest:-} ]] && IFS=, read -r -a settings <<<"$rest"
  start_timed "$2" "$dir" ${settings[@]+"${settings[@]}"}
}

median() { sort -n | awk '{ v[NR] = $1 } END { print (NR % 2) ? v[(NR + 1) / 2] : int((v[NR / 2] + v[NR / 2 + 1]) / 2) }'; }

echo "machine: $(nproc) cores, $(awk '/MemTotal/ {printf "%.0f GiB", $2/1048576}' /proc/meminfo), $(uname -sr)"
echo "method:  ./iiot start of each variant in turn, $rounds rounds after a first start of each;"
echo "         ready = from the command to GET /api/v1/health = UP (polled every 20 ms)"
for v in "${!variants[@]}"; do
  dir=${variants[$v]%%,*}
  printf 'variant %d: %s (%s)\n' "$v" "${variants[$v]}" "$(git -C "$dir" log -1 --format='%h %s' 2>/dev/null | cut -c1-60 || echo '?')"
  start "${variants[$v]}" "$work/first-$v.log"
  printf '  first start: ready after %d ms\n' "$ready_ms"
  stop_server
done
for r in $(seq 1 "$rounds"); do
  line="round $r:"
  for v in "${!variants[@]}"; do
    start "${variants[$v]}" "$work/run.log"
    stop_server
    echo "$ready_ms" >>"$work/ready-$v"
    line+=$(printf ' %6d' "$ready_ms")
  done
  echo "$line ms"
done
for v in "${!variants[@]}"; do
  printf 'variant %d: median ready %d ms (min %d, max %d) over %d runs: %s\n' "$v" \
    "$(median <"$work/ready-$v")" "$(sort -n "$work/ready-$v" | head -1)" "$(sort -n "$work/ready-$v" | tail -1)" \
    "$rounds" "${variants[$v]}"
done
