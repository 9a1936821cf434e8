#!/usr/bin/env bash
# Runs a command and fails if it leaves shared memory behind: System V segments (ipcs -m) or
# files in /dev/shm that were not there before it started and belong to this user.
set -u
me=$(id -u)
snapshot() {
  ipcs -m 2>/dev/null | awk -v u="$(id -un)" '$3==u || $3==ENVIRON["UID_NUM"] {print "sysv shmid=" $2 " key=" $1 " bytes=" $5 " nattch=" $6}'
  find /dev/shm -maxdepth 1 -mindepth 1 -uid "$me" 2>/dev/null | sed 's/^/posix /'
}
export UID_NUM=$me
before=$(snapshot | sort)
"$@"
status=$?
after=$(snapshot | sort)
leaked=$(comm -13 <(printf '%s\n' "$before") <(printf '%s\n' "$after") | sed '/^$/d')
if [ -n "$leaked" ]; then
  echo "no-leaks: '$*' left shared memory behind:" >&2
  printf '  %s\n' "$leaked" >&2
  [ "$status" -eq 0 ] && status=1
fi
exit "$status"
