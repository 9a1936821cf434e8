package dev.jshm;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The tests allow one report of the JVM's ({@code -Xcheck:jni}'s, about jshm's SIGBUS handler) and
 * nothing else: the filter drops that report however the JVM's log breaks its lines, and keeps
 * every other line.
 */
class VmOutputFilterTest {

    private static final String MASK = "mask=11100100010111111101111111111110";

    @Test
    void theReportIsDroppedAlsoWhenAnotherThreadBreaksOneOfItsLines(@TempDir Path dir) throws IOException {
        Path log = log(dir,
                "<writer thread='15701'/>",
                "Warning: SIGBUS handler modified!",
                "Signal Handlers:",
                "   SIGSEGV: ",
                "<writer thread='15690'/>",
                "the program's own line",
                "<writer thread='15701'/>",
                "javaSignalHandler in libjvm.so, " + MASK + ", flags=SA_RESTART|SA_SIGINFO, unblocked",
                "    SIGBUS: 0x00007f29210038d0 in libjshm-1.so+14544, " + MASK + ", flags=SA_ONSTACK|SA_RESTART|SA_SIGINFO, unblocked",
                "  *** Handler was modified!",
                "  *** Expected: javaSignalHandler in libjvm.so, " + MASK + ", flags=SA_RESTART|SA_SIGINFO",
                "   SIGTRAP: SIG_DFL, mask=00000000000000000000000000000000, flags=none, unblocked",
                "Consider using jsig library.",
                "WARNING in native method: JNI call made without checking exceptions when required to");
        assertEquals("the program's own line\nWARNING in native method: JNI call made without checking exceptions when required to\n",
                TestProcesses.vmOutput(log));
    }

    @Test
    void theDeoptimizationStatisticsOfJdk25AreNoMessage(@TempDir Path dir) throws IOException {
        // As a JDK 25 JVM logs them at exit, inside its tty section.
        Path log = log(dir,
                "<writer thread='15701'/>",
                "the program's own line",
                "<dependency_failed type='leaf_type' ctxk='java/util/Properties' witness='java/security/Provider' stamp='0.372'/>",
                "<statistics type='deoptimization'>",
                "Deoptimization traps recorded:",
                "     8 (100.0%) total",
                "           class_check/maybe_recompile/nop: 3 (37.5%)",
                "</statistics>",
                "WARNING in native method: JNI call made without checking exceptions when required to",
                "<tty_done stamp='0.422'/>");
        assertEquals("the program's own line\nWARNING in native method: JNI call made without checking exceptions when required to\n",
                TestProcesses.vmOutput(log));
    }

    /** A JVM log as {@code -XX:+LogVMOutput} writes it, with {@code ttyLines} in its tty section. */
    private static Path log(Path dir, String... ttyLines) throws IOException {
        List<String> lines = new ArrayList<>(List.of("<hotspot_log version='160 1'>", "<tty>"));
        lines.addAll(List.of(ttyLines));
        lines.addAll(List.of("</tty>", "</hotspot_log>", ""));
        return Files.writeString(dir.resolve("vm.log"), String.join("\n", lines));
    }

    @Test
    void aHandlerLineOutsideTheReportIsKept() {
        String stray = "javaSignalHandler in libjvm.so, " + MASK + ", flags=SA_RESTART|SA_SIGINFO, unblocked";
        assertEquals(stray, TestProcesses.withoutSigbusReport(stray));
    }
}
