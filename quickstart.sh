#!/bin/sh
# Quickstart (see README.md): builds the connector's NAR, then runs it end to end on this machine: DynamoDB Local,
# a Pulsar standalone broker and the NAR in Pulsar's LocalRunner, on free 127.0.0.1 ports. Needs JDK 17 and Maven.
# Extra arguments go to Maven (e.g. -o). QUICKSTART_TIMEOUT_SECONDS (default 180) bounds the wait for messages.
set -eu
cd "$(dirname "$0")"
command_start=$(date +%s%N 2>/dev/null || true)
case "$command_start" in *[!0-9]*|'') command_start=$(date +%s)000000000 ;; esac

echo "[quickstart] building the NAR: mvn -q -Pquickstart verify (a first run downloads dependencies for minutes)"
build_log=$(mktemp "${TMPDIR:-/tmp}/quickstart-build.XXXXXX")
if ! mvn -q -B -Pquickstart verify -Dexec.skip=true "$@" > "$build_log" 2>&1; then
  cat "$build_log"
  rm -f "$build_log"
  echo "[quickstart] FAILED: the build failed (Maven's output above)"
  exit 1
fi
rm -f "$build_log"

nar=$(ls target/pulsar-io-dynamodb-*.nar | head -n 1)
java=java
if [ -n "${JAVA_HOME:-}" ]; then java="$JAVA_HOME/bin/java"; fi
exec "$java" \
  -Dquickstart.commandStartNanos="$command_start" \
  -Dquickstart.timeoutSeconds="${QUICKSTART_TIMEOUT_SECONDS:-180}" \
  -De2e.nar="$nar" \
  -De2e.classpathFile=target/e2e/pulsar-runtime.classpath \
  -De2e.dir=target/e2e \
  -cp "target/test-classes:target/classes:$(cat target/e2e/quickstart.classpath)" \
  org.apache.pulsar.io.dynamodb.e2e.Quickstart
