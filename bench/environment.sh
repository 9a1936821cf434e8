#!/usr/bin/env bash
# environment.txt: what the figures were measured on.  environment.sh MODE JAVA17 JAVA25
set -u
MODE=$1 JAVA17=$2 JAVA25=$3
echo "date:        $(date -Iseconds)"
echo "suite:       $MODE"
echo "cpu:         $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ //')"
# The family picks jshm's native copy threshold on AMD CPUs (BulkCopy.copyThresholdFor).
echo "cpu family:  $(grep -m1 '^cpu family' /proc/cpuinfo | cut -d: -f2- | sed 's/^ //'), model $(grep -m1 '^model[[:space:]]*:' /proc/cpuinfo | cut -d: -f2- | sed 's/^ //')"
echo "cores:       $(nproc) online ($(grep -c ^processor /proc/cpuinfo) in /proc/cpuinfo)"
echo "kernel:      $(uname -r) ($(uname -m))"
echo "memory:      $(free -h | awk '/^Mem:/ {print $2}')"
echo "jdk 17:      $("$JAVA17" -version 2>&1 | sed -n 2p)"
if [ -x "$JAVA25" ]; then
  echo "jdk 25:      $("$JAVA25" -version 2>&1 | sed -n 2p)"
fi
echo "gcc:         $(gcc --version | head -1)"
echo "glibc:       $(ldd --version | head -1)"
echo "pinning:     JMH (single-process) unpinned on all $(nproc) cores (the JIT and GC need the other core);"
echo "             two-process tests: parent taskset -c 0, child taskset -c 1 (Java, each JVM with"
echo "             -XX:+UseSerialGC -XX:GuaranteedSafepointInterval=0 so its own threads leave the core alone),"
echo "             sched_setaffinity cores 0 and 1 (C ping-pong and futex); C single-thread tests unpinned"
echo "cpu freq:    $(cat /sys/devices/system/cpu/cpu0/cpufreq/scaling_governor 2>/dev/null || echo 'no cpufreq (VM)')"
echo "hugepages:   $(cat /sys/kernel/mm/transparent_hugepage/enabled 2>/dev/null)"
echo "clocksource: $(cat /sys/devices/system/clocksource/clocksource0/current_clocksource 2>/dev/null)"
echo "load before: $(cut -d' ' -f1-3 /proc/loadavg)"
echo "busiest processes before the run (the machine is shared; anything here competes with the benchmarks):"
ps -eo pcpu=,comm=,args= --sort=-pcpu | head -5 | cut -c1-110 | sed 's/^/  /'
echo
echo "/proc/cpuinfo flags (first CPU):"
grep -m1 '^flags' /proc/cpuinfo | cut -d: -f2- | fold -s -w 100 | sed 's/^/  /'
