package dev.jshm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The SIGBUS handler of the C library ({@code jshm_fault.c}) in a C program that links the core
 * ({@code src/test/c/fault_chain.c}): a fault inside a registered mapping is healed (the store, the
 * locked read-modify-write and the memcpy complete, the fault word holds the first replaced
 * offset, the memory below the cut is intact); every other SIGBUS reaches the handler installed
 * before, with its {@code siginfo}, or the default action (death by SIGBUS), or is ignored when it
 * was sent rather than raised by a fault, exactly as without jshm.
 */
class FaultHandlerChainTest {

    private static final Path PROGRAM = TestProcesses.targetDir().resolve("test-bin/fault_chain");
    /** A process killed by a signal exits, as Java reports it, with 128 + the signal. */
    private static final int KILLED_BY_SIGBUS = 128 + 7;

    @TempDir
    Path dir;

    @BeforeAll
    static void build() throws IOException, InterruptedException {
        Files.createDirectories(PROGRAM.getParent());
        Path base = TestProcesses.basedir();
        List<String> command = new ArrayList<>(List.of("gcc", "-std=gnu11", "-O2", "-Wall", "-Wextra", "-Werror",
                "-D_GNU_SOURCE", "-I" + base.resolve("src/main/c"), "-o", PROGRAM.toString(),
                base.resolve("src/test/c/fault_chain.c").toString()));
        command.addAll(TestProcesses.cCoreSources());
        command.add("-lpthread");
        TestProcesses.Result gcc = TestProcesses.run(Duration.ofSeconds(120),
                new ProcessBuilder(command).redirectErrorStream(true), null);
        assertEquals(0, gcc.exit(), () -> String.join(" ", command) + "\n" + gcc.out());
    }

    @Test
    void faultInARegisteredMappingIsHealedAndRecorded() throws Exception {
        TestProcesses.Result r = run("heal");
        assertEquals(0, r.exit(), r::describe);
        // A store at page 5, a fetch-add at page 3, a memcpy from page 2: each faults and lowers the word.
        assertTrue(r.out().contains("WORDS 20480 12288 8192\n"), r::describe);
        assertTrue(r.out().contains("VALUES 0 0\n"), "the reads completed on zero pages\n" + r.describe());
        assertTrue(r.out().contains("BELOW ok\n"), r::describe);
    }

    @Test
    void otherFaultsReachAPreviousSiginfoHandler() throws Exception {
        TestProcesses.Result r = run("siginfo");
        assertEquals(0, r.exit(), r::describe);
        assertTrue(r.out().contains("CHAINED siginfo addr=ok code=ok\n"), r::describe);
        assertTrue(r.out().contains("WORD untouched\n"), r::describe);
    }

    @Test
    void otherFaultsReachAPreviousPlainHandler() throws Exception {
        TestProcesses.Result r = run("plain");
        assertEquals(0, r.exit(), r::describe);
        assertTrue(r.out().contains("CHAINED plain\n"), r::describe);
    }

    @Test
    void otherFaultsKillWhenThePreviousActionWasTheDefault() throws Exception {
        TestProcesses.Result r = run("dfl");
        assertEquals(KILLED_BY_SIGBUS, r.exit(), r::describe);
        assertEquals("FAULTING\n", r.out(), r::describe);
    }

    @Test
    void anIgnoredSigbusIsIgnoredWhenSentAndKillsWhenAFaultRaisesIt() throws Exception {
        TestProcesses.Result r = run("ign");
        assertEquals(KILLED_BY_SIGBUS, r.exit(), r::describe);
        assertEquals("IGNORED\nFAULTING\n", r.out(), r::describe);
    }

    private TestProcesses.Result run(String mode) throws Exception {
        // ulimit -c 0: the deaths are expected, their core dumps are not wanted.
        return TestProcesses.run(Duration.ofSeconds(30), dir, null,
                List.of("sh", "-c", "ulimit -c 0; exec \"$0\" \"$@\"", PROGRAM.toString(), mode, dir.toString()));
    }
}
