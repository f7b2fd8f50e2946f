#!/usr/bin/env bash
# Start-up benchmark: runs `./iiot start` as an operator does, N times (default 5), and reports the
# time from the command until GET /api/v1/health answers UP, as seen from outside (each run, their mean
# and median); Spring's own "Started ... in" figure; and the resident memory once healthy. A first start
# comes before the runs: it builds the jar when the sources changed and makes the AOT cache when this
# build has none (JDK 25 or newer), as an operator's first start would; its time is printed apart. Then
# one more start records Spring's start-up steps (INSA_STARTUP_STEPS) and prints where the time goes.
# scripts/bench-startup-compare.sh runs two builds or settings alternately.
#
# The usual environment applies (INSA_DATADIR, SERVER_PORT, INSA_AOT_CACHE=off to compare, ...); the
# ports are the defaults unless set, so nothing else may listen on them. Needs curl; the breakdown of
# the steps needs python3.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
runs=${1:-5}
port=${SERVER_PORT:-8080}
management_port=${MANAGEMENT_SERVER_PORT:-8081}
work=$(mktemp -d)
pid=
cleanup() {
  [[ -n $pid ]] && kill "$pid" 2>/dev/null && wait "$pid" 2>/dev/null
  rm -rf "$work"
}
trap cleanup EXIT

# The timestamp that starts a line of the server's log (ISO 8601, milliseconds) as epoch milliseconds.
log_ms() { date -d "${1%% *}" +%s%3N; }

source scripts/startup-timing.sh

# Spring's "Started ... in S seconds (process running for P)" of a log: prints "S P".
started() { sed -n 's/.*Started IiotApplication in \([0-9.]*\) seconds (process running for \([0-9.]*\)).*/\1 \2/p' "$1"; }

echo "machine: $(nproc) cores, $(awk '/MemTotal/ {printf "%.0f GiB", $2/1048576}' /proc/meminfo), $(uname -sr)"
echo "method:  ./iiot start (INSA_AOT_CACHE=${INSA_AOT_CACHE:-on}, INSA_SPRING_AOT=${INSA_SPRING_AOT:-on}), $runs runs after a first start;"
echo "         ready = from the command to GET /api/v1/health = UP (polled every 20 ms)"

start_timed "$work/first.log" .
grep -E '^iiot: (using JDK|making the AOT cache|AOT cache made|starting with|JDK [0-9]+: starting without)' \
  "$work/first.log" | sed 's/^/  /'
read -r spring process < <(started "$work/first.log")
printf 'first start: ready after %d ms (Spring: %s s)\n' "$ready_ms" "$spring"
stop_server

total=0
all=()
for i in $(seq 1 "$runs"); do
  start_timed "$work/run.log" .
  rss=$(awk '/VmRSS/ {printf "%.0f", $2/1024}' "/proc/$pid/status")
  read -r spring process < <(started "$work/run.log")
  printf 'run %d: ready after %d ms (Spring "Started in" %s s, process running for %s s), RSS %s MiB\n' \
    "$i" "$ready_ms" "$spring" "$process" "$rss"
  total=$((total + ready_ms))
  all+=("$ready_ms")
  stop_server
done
median=$(printf '%s\n' "${all[@]}" | sort -n | awk '{ v[NR] = $1 } END { print (NR % 2) ? v[(NR + 1) / 2] : int((v[NR / 2] + v[NR / 2 + 1]) / 2) }')
echo "mean ready: $((total / runs)) ms, median $median ms"

# Where the time goes: one more start that records Spring's steps.
INSA_STARTUP_STEPS=20000 start_timed "$work/steps.log" .
curl -fsS "http://127.0.0.1:$management_port/actuator/startup" >"$work/steps.json" || true
stop_server
read -r spring process < <(started "$work/steps.log")
started_line=$(grep -m1 'Started IiotApplication in' "$work/steps.log")
started_ms=$(log_ms "$started_line")
process_ms=$(awk -v p="$process" 'BEGIN { printf "%.0f", p * 1000 }')
jvm_ms=$((started_ms - process_ms))
echo
echo "where the time goes (one more start, recording its steps: ready after $ready_ms ms):"
printf '  %6d ms  ./iiot: JDK, PostgreSQL and roles checked, cache found, until the JVM starts\n' $((jvm_ms - t0_ms))
awk -v s="$spring" -v p="$process" 'BEGIN { printf "  %6d ms  JVM start to Spring start (JVM, AOT cache mapped, main class)\n", (p - s) * 1000 }'
awk -v s="$spring" 'BEGIN { printf "  %6d ms  Spring \"Started in\": environment, context refresh (beans, web servers, listeners)\n", s * 1000 }'
printf '  %6d ms  after Started until health answers UP (runners, ready event, polling)\n' \
  $((t0_ms + ready_ms - started_ms))
if command -v python3 >/dev/null && [[ -s $work/steps.json ]]; then
  python3 - "$work/steps.json" <<'EOF'
import json, re, sys

def millis(iso):
    m = re.fullmatch(r"PT(?:(\d+)H)?(?:(\d+)M)?(?:([\d.]+)S)?", iso)
    h, mi, s = (float(g) if g else 0.0 for g in m.groups())
    return (h * 3600 + mi * 60 + s) * 1000

events = json.load(open(sys.argv[1]))["timeline"]["events"]
steps = {}
for e in events:
    step = e["startupStep"]
    tags = {t["key"]: t["value"] for t in step["tags"]}
    name = step["name"]
    detail = tags.get("beanName") or tags.get("postProcessor") or ""
    steps[step["id"]] = {"parent": step.get("parentId"), "label": (name + " " + detail).strip(),
                         "total": millis(e["duration"])}
children = {}
for s in steps.values():
    if s["parent"] in steps:
        children[s["parent"]] = children.get(s["parent"], 0.0) + s["total"]
for i, s in steps.items():
    s["self"] = s["total"] - children.get(i, 0.0)
top = [s for s in steps.values() if not s["label"].startswith("spring.context.refresh")]
refresh = [s for s in steps.values() if s["label"] == "spring.context.refresh"]
print("  Spring's steps (ms of their own, children excluded):")
for s in refresh[:1]:
    print("  %6.0f ms  spring.context.refresh outside its steps (starting the web servers and listeners, ...)" % s["self"])
for s in sorted(top, key=lambda s: -s["self"])[:12]:
    print("  %6.0f ms  %s" % (s["self"], s["label"][:110]))
EOF
fi
