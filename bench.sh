#!/bin/sh
# Benchmark (see README.md, "Benchmarks"): builds the NAR quietly, then runs DynamoDB Local, a Pulsar standalone
# broker and the NAR in Pulsar's LocalRunner on this machine and measures latency, throughput, backlog drain,
# memory, start-up, NAR size and conversion speed. Needs JDK 17 and Maven; about 11 minutes.
#   ./bench.sh                      every scenario, full parameters; results in bench/ (results.md, *.png)
#   ./bench.sh latency nar          a subset: latency latency-1s throughput backlog (= memory) startup startup-cds startup-fast startup-worker nar conversion requests snapshot metrics effectively-once tables
#   BENCH_DURATION_SECONDS=10 BENCH_BACKLOG_RECORDS=10000 ./bench.sh    a smoke run
# A subset or shortened run writes to target/bench/ instead. MAVEN_ARGS (e.g. -o) go to Maven; BENCH_BUILD_DIR
# (default target) is Maven's build folder, for a benchmark beside another build of the same tree.
set -eu
cd "$(dirname "$0")"
build=${BENCH_BUILD_DIR:-target}

echo "[bench] building: mvn -q -Pbench verify (tests skipped)"
build_log=$(mktemp "${TMPDIR:-/tmp}/bench-build.XXXXXX")
# shellcheck disable=SC2086
if ! mvn -q -B -Pbench verify -Dbuild.dir="$build" ${MAVEN_ARGS:-} > "$build_log" 2>&1; then
  cat "$build_log"
  rm -f "$build_log"
  echo "[bench] FAILED: the build failed (Maven's output above)"
  exit 1
fi
rm -f "$build_log"

nar=$(ls $build/pulsar-io-dynamodb-*.nar | head -n 1)
java=java
if [ -n "${JAVA_HOME:-}" ]; then java="$JAVA_HOME/bin/java"; fi
exec "$java" -Xms512m -Xmx3g \
  -Dbench.durationSeconds="${BENCH_DURATION_SECONDS:-60}" \
  -Dbench.backlogRecords="${BENCH_BACKLOG_RECORDS:-100000}" \
  ${BENCH_JAVA_OPTS:-} \
  -Dlog4j2.configurationFile=$build/test-classes/bench/log4j2-bench.xml \
  -De2e.nar="$nar" \
  -De2e.classpathFile=$build/e2e/pulsar-runtime.classpath \
  -De2e.dir=$build/e2e \
  -De2e.javaInstanceJar=$build/e2e/java-instance/java-instance.jar \
  -cp "$build/test-classes:$build/classes:$(cat $build/e2e/bench.classpath)" \
  org.apache.pulsar.io.dynamodb.e2e.Benchmark "$@"
