# Sourced by the start-up benchmarks (bench-startup.sh, bench-startup-compare.sh); needs $port.

# start_timed LOG DIR [VAR=value ...]: runs DIR's ./iiot start with those settings in the background
# until GET /api/v1/health answers UP (polled every 20 ms); sets pid, t0_ms (when the command started)
# and ready_ms (from then until UP).
start_timed() {
  local log=$1 dir=$2 i
  shift 2
  t0_ms=$(date +%s%3N)
  (cd "$dir" && exec env "$@" ./iiot start) >"$log" 2>&1 &
  pid=$!
  for ((i = 0; i < 15000; i++)); do
    if curl -fsS "http://127.0.0.1:$port/api/v1/health" 2>/dev/null | grep -q '"UP"'; then
      ready_ms=$(($(date +%s%3N) - t0_ms))
      return 0
    fi
    kill -0 "$pid" 2>/dev/null || { tail -n 30 "$log" >&2; echo "$dir $*: the server exited" >&2; exit 1; }
    sleep 0.02
  done
  echo "$dir $*: not healthy after 5 minutes" >&2
  exit 1
}

stop_server() {
  kill "$pid"
  wait "$pid" 2>/dev/null || true
  pid=
}
