#!/usr/bin/env bash
# The benchmark suite, end to end: build, measure (C baseline, JMH on JDK 17, JMH with FFM on
# JDK 25, two processes pinned to two cores) and write the report. Called by `make bench` and
# `make bench-full` at the root.
#
#   bench/run.sh quick|full        output in $BENCH_OUT (default target/bench)
set -euo pipefail
cd "$(dirname "$0")/.."

MODE=${1:-quick}
OUT=${BENCH_OUT:-target/bench}
JAVA17=${JAVA17:-java}
JDK25=${JDK25:-/usr/lib/jvm/temurin-25-jdk-amd64}
MVN=${MVN:-mvn -B -q}
mkdir -p "$OUT"
OUT=$(cd "$OUT" && pwd)
LOG="$OUT/bench.log"
: > "$LOG"

case "$MODE" in
  quick)
    # 2 cores, about 10 minutes in all: one fork, short iterations, no 64 MiB copies.
    JMH_OPTS=(-f 1 -wi 2 -w 250ms -i 3 -r 300ms)
    SIZES=64,4096,65536,1048576 ;;
  full)
    JMH_OPTS=(-f 2 -wi 5 -w 1s -i 5 -r 1s)
    SIZES=64,4096,65536,1048576,67108864 ;;
  *) echo "usage: $0 quick|full" >&2; exit 2 ;;
esac

START=$(date +%s)
step() { printf '\n[%s +%ss] %s\n' "$(date +%H:%M:%S)" "$(( $(date +%s) - START ))" "$*"; }

# JMH prints a lot; the full output goes to bench.log and the terminal sees progress lines.
progress() {
  tee -a "$LOG" | grep --line-buffered -E '^# (Run progress|Benchmark:)|^# Parameters|ERROR|Exception' \
    | sed -u -e 's/^# Benchmark: dev\.jshm\.bench\./   /' -e 's/^# Run progress: /   progress /' -e 's/^# Parameters: /     /'
}

step "build: jshm (root, installed for the bench project), benchmarks (JDK 17), FFM benchmarks (JDK 25), baseline.c"
$MVN install -DskipTests >>"$LOG" 2>&1
$MVN -f bench/pom.xml package >>"$LOG" 2>&1
if [ -x "$JDK25/bin/java" ]; then
  JAVA_HOME="$JDK25" $MVN -f bench/ffm/pom.xml package >>"$LOG" 2>&1
else
  echo "   no JDK 25 at $JDK25: the FFM benchmarks are skipped"
fi
gcc -std=gnu11 -O2 -Wall -Wextra -Werror -o "$OUT/baseline" bench/src/main/c/baseline.c -lrt
JAR=bench/target/benchmarks.jar
FFM_JAR=bench/ffm/target/benchmarks-ffm.jar

step "environment -> $OUT/environment.txt"
bench/environment.sh "$MODE" "$JAVA17" "$JDK25/bin/java" > "$OUT/environment.txt"
sed -n '1,12p' "$OUT/environment.txt" | sed 's/^/   /'

step "C baseline (gcc -O2): clock, 8-byte access, copies, lifecycle, first touch (ping-pong and futex run with the two-process tests)"
"$OUT/baseline" "$MODE" clock,access8,copies,lifecycle,first-touch > "$OUT/c-baseline.json"

step "JMH on JDK 17 with -prof gc: jshm native and Java paths, Agrona, MappedByteBuffer, direct ByteBuffer (unpinned, both cores)"
"$JAVA17" -jar "$JAR" "${JMH_OPTS[@]}" -foe true -p size="$SIZES" -prof gc \
  -rf json -rff "$OUT/jmh-jdk17.json" 'dev\.jshm\.bench\.[A-Za-z0-9]+Bench' 2>&1 | progress

if [ -f "$FFM_JAR" ]; then
  step "JMH on JDK 25: FFM MemorySegment (mapped /dev/shm file, Arena.allocate), direct ByteBuffer"
  "$JDK25/bin/java" -jar "$FFM_JAR" "${JMH_OPTS[@]}" -foe true -p size="$SIZES" \
    -rf json -rff "$OUT/jmh-jdk25.json" 'dev\.jshm\.bench\.ffm\.' 2>&1 | progress
fi

if [ -x "$JDK25/bin/java" ]; then
  step "JMH on JDK 25: jshm's copies again (the same jar), to tell the JDK's copy routines from the run's noise"
  "$JDK25/bin/java" -jar "$JAR" "${JMH_OPTS[@]}" -foe true -p size="$SIZES" \
    -jvmArgsAppend --enable-native-access=ALL-UNNAMED \
    -rf json -rff "$OUT/jmh-jdk25-jshm.json" 'dev\.jshm\.bench\.CopyBench\.(read|write)_jshm' 2>&1 | progress
fi

step "two processes on cores 0 and 1 (taskset), every way once per round: round trips (C, jshm, Agrona, ring), throughput, futex"
# The same JVM options as the child's (CrossProcess.JVM_FLAGS): serial GC, no periodic safepoints.
taskset -c 0 "$JAVA17" --add-exports=java.base/jdk.internal.misc=ALL-UNNAMED -XX:+UseSerialGC -Xms256m -Xmx256m \
  -XX:+AlwaysPreTouch -XX:+UnlockDiagnosticVMOptions -XX:GuaranteedSafepointInterval=0 -cp "$JAR" \
  dev.jshm.bench.CrossProcess "$MODE" "$OUT/baseline" > "$OUT/crossprocess.json"

echo "load after:  $(cut -d' ' -f1-3 /proc/loadavg)" >> "$OUT/environment.txt"

step "report: results.md, summary.md, charts/*.png"
"$JAVA17" -Djava.awt.headless=true -cp "$JAR" dev.jshm.bench.report.Report "$OUT" "$MODE"

step "done in $(( $(date +%s) - START )) s: $OUT/results.md, $OUT/summary.md, $OUT/charts/"
