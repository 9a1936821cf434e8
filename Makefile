# Human entry points; each is a thin call into Maven. The native-only targets at the bottom
# build the C core on its own (for C users and sanitizers).

MVN  ?= mvn -B
JAVA ?= java
JAR  := target/jshm.jar
CC   ?= gcc

.PHONY: all build test test-jdk25 demo demo-aarch64 javadoc clean asan toolchain

all: build

## toolchain: the aarch64 cross compiler the build needs (installed from Debian's packages when missing, as root)
toolchain:
	@src/build/cross-toolchain.sh

## build: compile the C core (x86_64 and aarch64) and the Java code: the library target/jshm-<version>.jar
##   (with -sources and -javadoc jars) and the runnable command-line tool target/jshm.jar
build: toolchain
	$(MVN) package -DskipTests

## test: every test (unit, native with -Xcheck:jni, and the packaged jar), then fail on leaked segments
##   and on anything -Xcheck:jni reported in the test JVMs' logs
test: toolchain
	rm -f target/vm-*.log
	src/test/scripts/no-leaks.sh $(MVN) verify
	src/test/scripts/jni-clean.sh target

## test-jdk25: the unit and native tests again, on JDK 25 (the build stays on JDK 17: the same classes
##   and library a user of the jar loads), with the same leak and -Xcheck:jni checks; .ci/run runs it after test
JDK25 ?= /usr/lib/jvm/temurin-25-jdk-amd64
test-jdk25: toolchain
	rm -f target/vm-*.log
	src/test/scripts/no-leaks.sh $(MVN) test -Djvm=$(JDK25)/bin/java
	src/test/scripts/jni-clean.sh target
	@# There must be reports, and every one must name that JVM: fails if Surefire ran another.
	@ls target/surefire-reports/TEST-*.xml > /dev/null
	@! grep -L '<property name="java.home" value="$(JDK25)"/>' target/surefire-reports/TEST-*.xml | grep .

## demo: the seed scenario: create a private System V segment, write a line, read it back, remove it
demo: build
	echo "Hello from jshm: written by Java, read back from shared memory" | $(JAVA) -jar $(JAR) demo

## demo-aarch64: the same demo on an arm64 JVM under qemu-user, loading the jar's linux-aarch64 library
##   (needs qemu-user and openjdk-17-jre-headless:arm64; see README, "Supported platforms")
ARM64_JAVA ?= /usr/lib/jvm/java-17-openjdk-arm64/bin/java
demo-aarch64: build
	echo "Hello from jshm on aarch64: written by Java, read back from shared memory" | qemu-aarch64 -L / $(ARM64_JAVA) -jar $(JAR) demo

## javadoc: the library's API documentation (doclint on: a warning or an error fails it) in target/reports/apidocs
##   (compiled first: the javadoc plugin finds the module descriptor among the classes)
javadoc:
	$(MVN) compile javadoc:javadoc

clean:
	$(MVN) -q clean

# ---- native only ----------------------------------------------------------------------------

CORE_SRC  := $(filter-out src/main/c/jshm_jni.c,$(wildcard src/main/c/*.c))
ASAN_DIR  := target/asan
ASAN_FLAGS := -std=gnu11 -O1 -g -fno-omit-frame-pointer -fsanitize=address,undefined \
              -fno-sanitize-recover=all -Wall -Wextra -Werror -D_GNU_SOURCE -Isrc/main/c

## asan: the C core and its self-test under AddressSanitizer and UBSan, then the ring's fuzz driver
## (a hostile peer scribbling into a ring while it is used; bounded, a few seconds)
asan:
	mkdir -p $(ASAN_DIR)
	$(CC) $(ASAN_FLAGS) -o $(ASAN_DIR)/jshm_selftest src/test/c/jshm_selftest.c $(CORE_SRC)
	src/test/scripts/no-leaks.sh $(ASAN_DIR)/jshm_selftest
	$(CC) $(ASAN_FLAGS) -o $(ASAN_DIR)/ring_fuzz src/test/c/ring_fuzz.c $(CORE_SRC)
	timeout 300 $(ASAN_DIR)/ring_fuzz seeds=300 steps=3000
	$(CC) -std=c11 -Wall -Wextra -pedantic -Werror -Isrc/main/c -c -o $(ASAN_DIR)/jshm_ring_c11.o src/main/c/jshm_ring.c
	$(CXX) -std=c++17 -Wall -Wextra -pedantic -Werror -fsyntax-only -x c++ src/main/c/jshm_ring.h

# ---- benchmarks (bench/, a separate Maven project; see bench/run.sh) ----------------------------

BENCH_OUT ?= target/bench

.PHONY: bench bench-full

## bench: the quick benchmark suite (about 11 minutes on 2 cores): JMH JSON, results.md, summary.md, charts in $(BENCH_OUT)
bench: toolchain
	BENCH_OUT=$(BENCH_OUT) bench/run.sh quick

## bench-full: the long suite: 2 forks, longer iterations, 64 MiB copies
bench-full: toolchain
	BENCH_OUT=$(BENCH_OUT) bench/run.sh full
