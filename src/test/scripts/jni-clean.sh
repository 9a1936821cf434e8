#!/usr/bin/env bash
# Fails when a test JVM's -Xcheck:jni found a fault. The test JVMs write their own messages to
# target/vm-<pid>.log (the POM's argLine), so that the one report jshm causes on purpose, the
# SIGBUS handler it installs in front of the JVM's ("Warning: SIGBUS handler modified!" and the
# handler table after it), does not interleave with a program's output. Everything else that
# -Xcheck:jni reports is a bug: a warning or fatal error in a native method, or another signal
# handler replaced.
set -u
dir=${1:-target}
shopt -s nullglob
logs=("$dir"/vm-*.log)
if [ "${#logs[@]}" -eq 0 ]; then
  echo "jni-clean: no JVM logs in $dir: the tests did not run with the POM's argLine" >&2
  exit 1
fi
found=$(grep -H -E 'WARNING in native method|FATAL ERROR in native method|Warning: SIG[A-Z0-9]+ handler modified' "${logs[@]}" \
  | grep -v 'Warning: SIGBUS handler modified')
if [ -n "$found" ]; then
  echo "jni-clean: -Xcheck:jni reported faults in ${#logs[@]} test JVM logs:" >&2
  printf '  %s\n' "$found" | head -40 >&2
  exit 1
fi
echo "jni-clean: ${#logs[@]} test JVM logs, no -Xcheck:jni report but the SIGBUS handler jshm installs"
