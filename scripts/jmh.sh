#!/usr/bin/env bash
# JMH benchmarks of hot code (docs/benchmarks.md): ./scripts/jmh.sh [JMH options]
# Runs every *Benchmark of the platform's test sources with JMH, then the anomaly model footprint.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
eval "$(./iiot env 2>/dev/null | grep -E '^export (JAVA_HOME|PATH|MAVEN_OPTS)=')"
cp=$(scripts/test-classpath.sh)
echo "machine: $(nproc) cores, $(awk '/MemTotal/ {printf "%.0f GiB", $2 / 1048576}' /proc/meminfo), $(uname -sr)"
echo "java:    $("$JAVA_HOME/bin/java" -version 2>&1 | head -1)"
"$JAVA_HOME/bin/java" -cp "$cp" org.openjdk.jmh.Main "${@:-Benchmark}"
"$JAVA_HOME/bin/java" -Xmx2g -cp "$cp" io.insa.iiot.analytics.AnomalyModelFootprint
