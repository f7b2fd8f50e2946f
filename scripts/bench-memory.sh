#!/usr/bin/env bash
# Memory benchmark (docs/benchmarks.md, "Memory"): for each heap setting given (default: 512m, then
# the default of ./iiot start), starts the platform with INSA_HEAP set, reports its resident memory
# at idle, then runs the MQTT load generator (10,000 connections, 5,000 msg/s with QoS 1), which
# reports RSS with the connections idle; RSS is sampled every second meanwhile for the peak under
# load. Stops the platform after each setting. Usage: ./scripts/bench-memory.sh [512m|2g|default ...]
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
settings=("$@")
[[ ${#settings[@]} -gt 0 ]] || settings=(512m default)
devices=${BENCH_DEVICES:-10000} rate=${BENCH_RATE:-5000} duration=${BENCH_DURATION:-60}
port=${SERVER_PORT:-8080}

rss_mib() { awk '/^VmRSS/ { printf "%.0f", $2 / 1024 }' "/proc/$1/status" 2>/dev/null || echo 0; }

echo "machine: $(nproc) cores, $(awk '/MemTotal/ {printf "%.0f GiB", $2/1048576}' /proc/meminfo), $(uname -sr)"
echo "method:  ./iiot start with INSA_HEAP; RSS from /proc/<pid>/status: idle 20 s after health UP,"
echo "         then ./loadgen.sh mqtt --devices $devices --rate $rate --qos 1 --duration $duration,"
echo "         RSS sampled every second during the load"
for setting in "${settings[@]}"; do
  if [[ $setting == default ]]; then unset INSA_HEAP; else export INSA_HEAP=$setting; fi
  log=$(mktemp)
  ./iiot start >"$log" 2>&1 &
  pid=$!
  until curl -fsS "http://127.0.0.1:$port/api/v1/health" 2>/dev/null | grep -q UP; do
    kill -0 "$pid" 2>/dev/null || { cat "$log" >&2; exit 1; }
    sleep 0.2
  done
  sleep 20
  echo
  echo "== INSA_HEAP=${INSA_HEAP:-unset}: $(sed -n 's/^ *Memory: *//p' "$log")"
  echo "idle:    RSS $(rss_mib "$pid") MiB"
  samples=$(mktemp)
  (while kill -0 "$pid" 2>/dev/null; do echo "$(rss_mib "$pid")" >>"$samples"; sleep 1; done) &
  sampler=$!
  ./loadgen.sh mqtt --devices "$devices" --rate "$rate" --qos 1 --duration "$duration" --warmup 15 \
    --server-pid "$pid" | grep -v '^progress:' || true
  kill "$sampler" 2>/dev/null || true
  echo "peak:    RSS $(sort -n "$samples" | tail -1) MiB while connecting and under load;" \
    "high-water mark $(awk '/^VmHWM/ { printf "%.0f", $2 / 1024 }' "/proc/$pid/status") MiB"
  kill "$pid"
  wait "$pid" 2>/dev/null || true
  rm -f "$log" "$samples"
done
