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
    # 2 cores, at most 12 minutes in all: one fork, short iterations, no 64 MiB copies. Three
    # shorter forks of typed and 8-byte access (one 150 ms warm-up each) were tried in two runs:
    # no steadier verdicts, 50 to 130 s more, and the first measured iteration still warming up.
    JMH_OPTS=(-f 1 -wi 2 -w 150ms -i 3 -r 200ms)
    SIZES=64,4096,65536,1048576 ;;
  full)
    JMH_OPTS=(-f 2 -wi 5 -w 1s -i 5 -r 1s)
    SIZES=64,4096,65536,1048576,67108864 ;;
  *) echo "usage: $0 quick|full" >&2; exit 2 ;;
esac

START=$(date +%s)
# What the quick suite may take in all (the issue's 12 minutes).
QUICK_SECONDS=720
step() { printf '\n[%s +%ss] %s\n' "$(date +%H:%M:%S)" "$(( $(date +%s) - START ))" "$*"; }

# JMH prints a lot; the full output goes to bench.log and the terminal sees progress lines.
progress() {
  tee -a "$LOG" | grep --line-buffered -E '^# (Run progress|Benchmark:)|^# Parameters|ERROR|Exception' \
    | sed -u -e 's/^# Benchmark: dev\.jshm\.bench\./   /' -e 's/^# Run progress: /   progress /' -e 's/^# Parameters: /     /'
}

step "build: jshm (root, installed for the bench project), benchmarks (JDK 17), FFM benchmarks (JDK 25), baseline.c, lock_bench.c, ring_bench.c"
# The library's jar is all the benchmarks need: no javadoc or sources jar.
$MVN install -DskipTests -Dmaven.javadoc.skip=true -Dmaven.source.skip=true >>"$LOG" 2>&1
$MVN -f bench/pom.xml package >>"$LOG" 2>&1
if [ -x "$JDK25/bin/java" ]; then
  JAVA_HOME="$JDK25" $MVN -f bench/ffm/pom.xml package >>"$LOG" 2>&1
else
  echo "   no JDK 25 at $JDK25: the FFM benchmarks are skipped"
fi
gcc -std=gnu11 -O2 -Wall -Wextra -Werror -o "$OUT/baseline" bench/src/main/c/baseline.c -lrt
gcc -std=gnu11 -O2 -Wall -Wextra -Werror -D_GNU_SOURCE -Isrc/main/c -o "$OUT/lock_bench" bench/src/main/c/lock_bench.c \
  src/main/c/jshm_lock.c -lpthread
gcc -std=gnu11 -O2 -Wall -Wextra -Werror -D_GNU_SOURCE -Isrc/main/c -o "$OUT/ring_bench" bench/src/main/c/ring_bench.c \
  src/main/c/jshm_ring.c src/main/c/jshm_sync.c
JAR=bench/target/benchmarks.jar
FFM_JAR=bench/ffm/target/benchmarks-ffm.jar

step "environment -> $OUT/environment.txt"
bench/environment.sh "$MODE" "$JAVA17" "$JDK25/bin/java" > "$OUT/environment.txt"
sed -n '1,12p' "$OUT/environment.txt" | sed 's/^/   /'

step "C baseline (gcc -O2): clock, 8-byte access, copies, lifecycle, first touch, futex calls, lock, the ring in C (ping-pong and futex run with the two-process tests)"
"$OUT/baseline" "$MODE" clock,access8,copies,lifecycle,first-touch,futex-calls > "$OUT/c-baseline.json"
"$OUT/lock_bench" "$MODE" > "$OUT/c-lock.json"
# Pins itself: the consumer to core 0, the producer it forks to core 1, as CrossProcess does.
"$OUT/ring_bench" "$MODE" > "$OUT/c-ring.json"

step "JMH on JDK 17 with -prof gc: jshm native and Java paths, Agrona, MappedByteBuffer, direct ByteBuffer (unpinned, both cores)"
# HugePagesBench runs below, once huge pages are reserved.
"$JAVA17" -jar "$JAR" "${JMH_OPTS[@]}" -foe true -p size="$SIZES" -prof gc -e 'HugePagesBench' \
  -rf json -rff "$OUT/jmh-jdk17.json" 'dev\.jshm\.bench\.[A-Za-z0-9]+Bench' 2>&1 | progress

# Huge pages for real: reserve them (vm.nr_hugepages) and mount a hugetlbfs for HugePagesBench;
# both are given back when this script exits, however it exits.
HUGE_PAGES=80
HUGE_PREVIOUS=""
HUGE_MOUNT=""
give_back_huge_pages() {
  if [ -n "$HUGE_MOUNT" ]; then
    umount "$HUGE_MOUNT" 2>/dev/null || umount -l "$HUGE_MOUNT" || true
    rmdir "$HUGE_MOUNT" || true
    HUGE_MOUNT=""
  fi
  if [ -n "$HUGE_PREVIOUS" ]; then
    echo "$HUGE_PREVIOUS" > /proc/sys/vm/nr_hugepages || true
    HUGE_PREVIOUS=""
  fi
}
trap give_back_huge_pages EXIT
reserve_huge_pages() {
  if [ "$(id -u)" != 0 ] || [ ! -w /proc/sys/vm/nr_hugepages ]; then
    HUGE_SKIPPED="not root: vm.nr_hugepages cannot be raised nor a hugetlbfs mounted"; return 1
  fi
  local free_before free_after kib
  free_before=$(awk '/^HugePages_Free:/ {print $2}' /proc/meminfo)
  HUGE_PREVIOUS=$(cat /proc/sys/vm/nr_hugepages)
  echo $(( HUGE_PREVIOUS + HUGE_PAGES )) > /proc/sys/vm/nr_hugepages
  free_after=$(awk '/^HugePages_Free:/ {print $2}' /proc/meminfo)
  if [ $(( free_after - free_before )) -lt "$HUGE_PAGES" ]; then
    HUGE_SKIPPED="the kernel reserved only $(( free_after - free_before )) of $HUGE_PAGES huge pages"; return 1
  fi
  kib=$(awk '/^Hugepagesize:/ {print $2}' /proc/meminfo)
  HUGE_MOUNT=$(mktemp -d /tmp/jshm-bench-hugetlbfs-XXXXXX)
  if ! mount -t hugetlbfs -o "mode=0700,pagesize=${kib}K" none "$HUGE_MOUNT"; then
    rmdir "$HUGE_MOUNT"; HUGE_MOUNT=""
    HUGE_SKIPPED="mount -t hugetlbfs failed"; return 1
  fi
  HUGE_RESERVED="$HUGE_PAGES pages of $kib kB (vm.nr_hugepages $HUGE_PREVIOUS -> $(( HUGE_PREVIOUS + HUGE_PAGES ))), hugetlbfs on $HUGE_MOUNT"
}
step "huge pages on JDK 17: first touch and random 8-byte reads over 64 MiB, with and without (vm.nr_hugepages and a hugetlbfs, given back after)"
HUGE_SKIPPED=""
rm -f "$OUT/jmh-hugepages.json"
if reserve_huge_pages; then
  echo "   reserved $HUGE_RESERVED"
  echo "huge pages:  $HUGE_RESERVED, given back after" >> "$OUT/environment.txt"
  "$JAVA17" -jar "$JAR" "${JMH_OPTS[@]}" -foe true -jvmArgsAppend "-Djshm.bench.hugetlbfs=$HUGE_MOUNT" \
    -rf json -rff "$OUT/jmh-hugepages.json" 'dev\.jshm\.bench\.HugePagesBench' 2>&1 | progress
else
  echo "   skipped: $HUGE_SKIPPED"
  echo "huge pages:  not measured: $HUGE_SKIPPED" >> "$OUT/environment.txt"
fi
give_back_huge_pages

if [ -f "$FFM_JAR" ]; then
  step "JMH on JDK 25: FFM MemorySegment (mapped /dev/shm file, Arena.allocate), direct ByteBuffer"
  "$JDK25/bin/java" -jar "$FFM_JAR" "${JMH_OPTS[@]}" -foe true -p size="$SIZES" \
    -rf json -rff "$OUT/jmh-jdk25.json" 'dev\.jshm\.bench\.ffm\.' 2>&1 | progress
fi

if [ -x "$JDK25/bin/java" ]; then
  # At 64 B and 4 KiB, where the JVM's copy routine decides; larger copies wait for memory.
  step "JMH on JDK 25: jshm's copies of 64 B and 4 KiB again (the same jar), to tell the JDK's copy routines from the run's noise"
  "$JDK25/bin/java" -jar "$JAR" "${JMH_OPTS[@]}" -foe true -p size=64,4096 \
    -jvmArgsAppend --enable-native-access=ALL-UNNAMED \
    -rf json -rff "$OUT/jmh-jdk25-jshm.json" 'dev\.jshm\.bench\.CopyBench\.(read|write)_jshm' 2>&1 | progress
fi

step "two processes on cores 0 and 1 (taskset), every way once per round: round trips (C, jshm, Agrona, ring), throughput, futex"
# A round takes about 26 s with the two vCPUs near and 40-47 s with them far apart, where a
# fixed number of messages takes longer: the quick suite ends its rounds early rather than run
# past 12 minutes in all (CrossProcess's deadline; at least 3 rounds whatever the time).
DEADLINE=()
if [ "$MODE" = quick ]; then
  DEADLINE=(-Djshm.bench.deadline=$(( (START + QUICK_SECONDS - 10) * 1000 )))
fi
# The same JVM options as the child's (CrossProcess.JVM_FLAGS): serial GC, no periodic safepoints.
taskset -c 0 "$JAVA17" --add-exports=java.base/jdk.internal.misc=ALL-UNNAMED -XX:+UseSerialGC -Xms64m -Xmx64m \
  -XX:+AlwaysPreTouch -XX:+UnlockDiagnosticVMOptions -XX:GuaranteedSafepointInterval=0 "${DEADLINE[@]}" -cp "$JAR" \
  dev.jshm.bench.CrossProcess "$MODE" "$OUT/baseline" > "$OUT/crossprocess.json"

echo "load after:  $(cut -d' ' -f1-3 /proc/loadavg)" >> "$OUT/environment.txt"

step "report: results.md, summary.md, charts/*.png"
"$JAVA17" -Djava.awt.headless=true -cp "$JAR" dev.jshm.bench.report.Report "$OUT" "$MODE"

step "done in $(( $(date +%s) - START )) s: $OUT/results.md, $OUT/summary.md, $OUT/charts/"
