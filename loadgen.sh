#!/usr/bin/env bash
# Runs the load generator (docs/benchmarks.md): ./loadgen.sh <mode> [--option value ...]; modes: --help
# Builds it when needed and takes the database settings from ./iiot env.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")"
eval "$(./iiot env 2>/dev/null)"
jar=loadgen/target/loadgen.jar
if [[ ! -f $jar ]] || [[ -n $(find loadgen/src loadgen/pom.xml -newer "$jar" -print -quit) ]]; then
  ./mvnw -B -q -DskipTests -pl loadgen -am package >&2
fi
exec "$JAVA_HOME/bin/java" -jar "$jar" "$@"
