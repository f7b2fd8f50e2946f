#!/usr/bin/env bash
# Builds the platform's test classes and prints their classpath, for benchmarks that live in the test
# sources (scripts/jmh.sh, scripts/opcua-bench.sh). Expects JAVA_HOME from ./iiot env.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
./mvnw -B -q -pl platform -am test-compile -DskipTests -Dspotless.check.skip=true >&2
./mvnw -B -q -pl platform dependency:build-classpath -Dmdep.includeScope=test -Dmdep.outputFile=target/bench.classpath >&2
echo "platform/target/test-classes:platform/target/classes:$(cat platform/target/bench.classpath)"
