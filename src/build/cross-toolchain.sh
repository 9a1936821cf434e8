#!/usr/bin/env bash
# Makes sure the aarch64 cross compiler that every build needs is there: the jar carries a
# libjshm.so for linux-aarch64 beside the x86_64 one, and the build fails without it. On a
# Debian or Ubuntu machine where we are root, Debian's gcc-aarch64-linux-gnu is installed;
# anywhere else the message says what to install.
set -euo pipefail
command -v aarch64-linux-gnu-gcc >/dev/null 2>&1 && exit 0
if [ "$(id -u)" -eq 0 ] && command -v apt-get >/dev/null 2>&1; then
  echo "jshm build: installing gcc-aarch64-linux-gnu (the aarch64 cross compiler the jar's linux-aarch64 library needs)" >&2
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq gcc-aarch64-linux-gnu >/dev/null
  exit 0
fi
echo "jshm build: aarch64-linux-gnu-gcc is missing: the jar carries a linux-aarch64 library and the build" >&2
echo "  needs Debian's cross compiler: sudo apt-get install gcc-aarch64-linux-gnu" >&2
exit 1
