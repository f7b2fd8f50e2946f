#!/usr/bin/env bash
# OPC UA connector benchmark (docs/benchmarks.md), against a platform started with
# INSA_CONNECTORS_OPCUA_ALLOWED_NETWORKS=127.0.0.1/32 ./iiot start (its Milo servers listen on loopback):
#   ./scripts/opcua-bench.sh [--items 5000 --connectors 50 --duration 60 --url http://127.0.0.1:8080 ...]
# In-process Milo servers feed connectors created through the API; prints values/s, CPU and memory.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
eval "$(./iiot env 2>/dev/null | grep -E '^export (JAVA_HOME|PATH|MAVEN_OPTS)=')"
cp=$(scripts/test-classpath.sh)
pid=$(pgrep -f 'platform/target/platform.jar' | head -1 || true)
echo "machine: $(nproc) cores, $(awk '/MemTotal/ {printf "%.0f GiB", $2 / 1048576}' /proc/meminfo), $(uname -sr)"
echo "java:    $("$JAVA_HOME/bin/java" -version 2>&1 | head -1); platform pid ${pid:-unknown}"
exec "$JAVA_HOME/bin/java" -cp "$cp" io.insa.iiot.connector.opcua.OpcUaLoad --server-pid "${pid:-0}" "$@"
