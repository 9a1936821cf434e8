#!/usr/bin/env python3
"""The machine code that C2 made of a JMH benchmark's measurement loop, as assembly.

    bench/jit-listing.py TypedBench.getLong_jshm TypedBench.getLong_directByteBuffer

For each benchmark (Class.method of bench/target/benchmarks.jar): one short JMH fork in which
the JVM prints the code of the loop that JMH generated around the method
(-XX:CompileCommand=print), and then the hot loop of the last C2 compilation of it: from the
target of the back-edge (the backward jump right after the loop's safepoint poll) to that jump,
everything the benchmark inlined included. Without the hsdis plugin the JVM prints the code as
hex; objdump (binutils, which gcc brings) turns it into Intel syntax. x86-64 only.

Reading it: [r12+rN*8+0xNN] is a field of an object through a compressed reference, 0xNN the
field's offset; the poll is `mov rX,[r15+...]; test [rX],eax`. docs/bench/jit.md reads the
listings of the typed access and atomics benchmarks this way.
"""
import argparse
import os
import re
import subprocess
import sys
import tempfile

JMH_STUB = "dev.jshm.bench.jmh_generated.{cls}_{method}_jmhTest::{method}_avgt_jmhStub"
HEX_LINE = re.compile(r"\s+(0x[0-9a-f]+): ((?:[0-9a-f]{2,8}(?: \| | |$))+)\s*$")
INSN = re.compile(r"\s*([0-9a-f]+):\t(?:[0-9a-f]{2} )+\s*\t(.*)$")
POLL = re.compile(r"test\s+DWORD PTR \[r\w+\],eax")
JUMP = re.compile(r"j\w+\s+0x([0-9a-f]+)")
ADDRESS = re.compile(r"0x[0-9a-f]{9,}")


def compile_dumps(output):
    """The code of each C2 compilation in the JVM's output: (header line, start address, bytes)."""
    dumps = []
    for part in output.split("Compiled method (c2)")[1:]:
        header = part.splitlines()[0].strip()
        code, start = bytearray(), None
        for line in part.splitlines():
            m = HEX_LINE.match(line)
            if not m:
                continue
            address = int(m.group(1), 16)
            if start is None:
                start = address
            if address > start + len(code):
                code += b"\xcc" * (address - start - len(code))  # a gap: int3, addresses stay right
            elif address < start + len(code):
                continue  # printed twice
            code += bytes.fromhex(m.group(2).replace("|", " ").replace(" ", ""))
        if start is not None:
            dumps.append((header, start, bytes(code)))
    return dumps


def disassemble(start, code):
    with tempfile.NamedTemporaryFile(suffix=".bin") as f:
        f.write(code)
        f.flush()
        out = subprocess.run(["objdump", "-D", "-b", "binary", "-mi386:x86-64", "-M", "intel",
                              "--adjust-vma=%#x" % start, f.name],
                             check=True, capture_output=True, text=True).stdout
    return [(int(m.group(1), 16), m.group(2).strip()) for m in map(INSN.match, out.splitlines()) if m]


def hot_loop(insns):
    """The loop around the safepoint poll, in the order it runs.

    Usually the poll's block ends with the back-edge, a backward jump: the loop is its target to
    it. C2 may also rotate the loop: the poll's block ends with a forward jump out of it and
    falls through into the loop's head; the head's code then ends with a backward jump to the
    rest, which runs up to the poll's block again."""
    for i, (poll, text) in enumerate(insns):
        if not POLL.search(text):
            continue
        for k in range(i + 1, min(i + 4, len(insns))):
            m = JUMP.match(insns[k][1])
            if not m:
                continue
            if int(m.group(1), 16) < insns[k][0]:
                target = int(m.group(1), 16)
                return [(a, t) for a, t in insns if target <= a <= insns[k][0]]
            for j in range(k + 1, len(insns)):
                m = JUMP.match(insns[j][1])
                if m and int(m.group(1), 16) < poll:
                    rest = [n for n, (a, _) in enumerate(insns) if a == int(m.group(1), 16)]
                    return insns[k + 1:j + 1] + insns[rest[0]:k + 1] if rest else None
            return None
    return None


def listing(jar, java, benchmark, prepend):
    cls, method = benchmark.split(".")
    stub = JMH_STUB.format(cls=cls, method=method)
    # -cp rather than -jar, so that classes of a build under test can come first.
    classpath = os.pathsep.join(prepend + [jar])
    command = [java, "-cp", classpath, "org.openjdk.jmh.Main", "-f", "1", "-wi", "3", "-w", "300ms", "-i", "1", "-r", "300ms",
               "-jvmArgsAppend", "-XX:+UnlockDiagnosticVMOptions -XX:CompileCommand=quiet "
               "-XX:CompileCommand=print," + stub,
               "^dev\\.jshm\\.bench\\." + re.escape(benchmark) + "$"]
    run = subprocess.run(command, capture_output=True, text=True)
    dumps = compile_dumps(run.stdout)
    if run.returncode != 0 or not dumps:
        sys.exit("%s: no C2 code printed (exit %d); the end of JMH's output:\n%s"
                 % (benchmark, run.returncode, (run.stdout + run.stderr)[-3000:]))
    header, start, code = dumps[-1]
    insns = disassemble(start, code)
    loop = hot_loop(insns)
    if loop is None:
        sys.exit("%s: no loop with a safepoint poll in %s" % (benchmark, header))
    print("== %s: %d instructions in the loop (%s)" % (benchmark, len(loop), header))
    end = start + len(code)
    for address, text in loop:
        # Jump targets inside the method as offsets, like the addresses on the left.
        text = ADDRESS.sub(lambda m: "%06x" % (int(m.group(0), 16) - start)
                           if start <= int(m.group(0), 16) < end else m.group(0), text)
        print("  %06x  %s" % (address - start, text))


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("benchmarks", nargs="+", metavar="Class.method")
    parser.add_argument("--jar", default="bench/target/benchmarks.jar")
    parser.add_argument("--java", default="java")
    parser.add_argument("--prepend", action="append", default=[], metavar="DIR",
                        help="classes that come before the jar's (a changed class, to compare)")
    args = parser.parse_args()
    if not os.path.isfile(args.jar):
        sys.exit("%s: no such file (mvn -f bench/pom.xml package -DskipTests builds it)" % args.jar)
    for benchmark in args.benchmarks:
        if not re.fullmatch(r"\w+\.\w+", benchmark):
            sys.exit("%s: expected Class.method, such as TypedBench.getLong_jshm" % benchmark)
    for benchmark in args.benchmarks:
        listing(args.jar, args.java, benchmark, args.prepend)


if __name__ == "__main__":
    main()
