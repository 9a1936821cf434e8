package dev.jshm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The bundled shim as a binary: it loads on old systems (glibc 2.17, as RHEL/CentOS 7), exports
 * nothing but {@code JNI_OnLoad}, and none of its entry points makes {@code -Xcheck:jni} complain.
 */
class NativeLibraryTest {

    private static final int[] OLDEST_GLIBC = {2, 17};

    private static final Path LIBRARY = TestProcesses.targetDir()
            .resolve(Path.of("classes", "native", "linux-x86_64", "libjshm.so"));

    /** One line of {@code objdump -T}: address, 7 flag characters, section, then size, version and name. */
    private static final Pattern SYMBOL = Pattern.compile(
            "^([0-9a-fA-F]+) (.{7}) (\\S+)\\s+([0-9a-fA-F]+)\\s+(?:(\\S+)\\s+)?(\\S+)$");

    private static final Pattern GLIBC = Pattern.compile("GLIBC_(\\d+)\\.(\\d+)(?:\\.(\\d+))?");

    record Symbol(String flags, String section, String version, String name) {
        boolean global() {
            return flags.charAt(0) == 'g' || flags.charAt(0) == 'u';
        }

        boolean function() {
            return flags.charAt(6) == 'F';
        }

        boolean defined() {
            return !section.equals("*UND*");
        }
    }

    @Test
    void needsNoGlibcAbove2_17() throws Exception {
        List<Symbol> symbols = dynamicSymbols();
        List<String> offending = new ArrayList<>();
        int[] newest = {0, 0, 0};
        int versioned = 0;
        for (Symbol symbol : symbols) {
            Matcher m = GLIBC.matcher(symbol.version());
            if (!m.find()) {
                continue;
            }
            versioned++;
            int[] version = {Integer.parseInt(m.group(1)), Integer.parseInt(m.group(2)),
                m.group(3) == null ? 0 : Integer.parseInt(m.group(3))};
            if (compare(version, newest) > 0) {
                newest = version;
            }
            if (compare(version, new int[] {OLDEST_GLIBC[0], OLDEST_GLIBC[1], 0}) > 0) {
                offending.add(symbol.name() + "@" + m.group());
            }
        }
        assertTrue(versioned > 0, "no GLIBC_ versions found: is the objdump output parsed right?\n" + symbols);
        assertTrue(offending.isEmpty(), "libjshm.so needs glibc " + newest[0] + "." + newest[1]
                + (newest[2] == 0 ? "" : "." + newest[2]) + ", above 2.17, for: " + offending);
    }

    /**
     * The robust lock is jshm's own (jshm_lock.c), not a pthread mutex: no pthread mutex function
     * is imported, so none needs pinning to a pre-2.34 version, and glibc's robust list, which
     * follows pointers stored in shared memory, is never used.
     */
    @Test
    void noPthreadMutexIsImported() throws Exception {
        List<Symbol> symbols = dynamicSymbols();
        List<String> mutex = symbols.stream().map(Symbol::name).filter(n -> n.startsWith("pthread_mutex")).toList();
        assertTrue(mutex.isEmpty(), "pthread mutex functions imported: " + mutex);
        assertTrue(symbols.stream().anyMatch(sym -> sym.name().equals("syscall")), "the symbol list is read: " + symbols);
    }

    @Test
    void exportsOnlyJniOnLoad() throws Exception {
        List<Symbol> symbols = dynamicSymbols();
        Set<String> exportedFunctions = new TreeSet<>();
        Set<String> exportedAnything = new TreeSet<>();
        for (Symbol symbol : symbols) {
            if (symbol.defined() && symbol.global()) {
                exportedAnything.add(symbol.name() + " (" + symbol.section() + ")");
                if (symbol.function() && symbol.section().equals(".text")) {
                    exportedFunctions.add(symbol.name());
                }
            }
        }
        assertEquals(Set.of("JNI_OnLoad"), exportedFunctions, "exported functions (everything else must be hidden)");
        assertEquals(Set.of("JNI_OnLoad (.text)"), exportedAnything, "exported symbols of any kind");
    }

    /** Every native entry point once, in a child JVM under -Xcheck:jni: not a single warning. */
    @Test
    @Timeout(value = 120, unit = TimeUnit.SECONDS)
    void noJniWarningFromAnyEntryPoint(@TempDir Path workDir) throws Exception {
        assertTrue(TestProcesses.seesTestClasses(),
                "the child's class path misses the test classes: " + TestProcesses.classPath());
        TestProcesses.Result outcome = TestProcesses.runJvm(Duration.ofSeconds(100), workDir, NativeEntryPointsMain.class);

        assertEquals(0, outcome.exit(), outcome.describe());
        Matcher count = Pattern.compile("native entry points exercised: (\\d+)/(\\d+)").matcher(outcome.output());
        assertTrue(count.find(), outcome.describe());
        assertEquals(count.group(2), count.group(1), outcome.describe());
        assertTrue(Integer.parseInt(count.group(2)) >= 19, outcome.describe());
        assertFalse(outcome.output().contains("WARNING"), "a JNI warning: " + outcome.describe());
        assertFalse(outcome.output().contains("FATAL ERROR"), outcome.describe());
        assertTrue(TestProcesses.crashLogs(workDir).isEmpty(), "the child crashed: " + outcome.describe());
    }

    /** The dynamic symbol table of the bundled library, parsed. */
    private static List<Symbol> dynamicSymbols() throws IOException, InterruptedException {
        assertTrue(Files.isRegularFile(LIBRARY), LIBRARY + " is missing: build with mvn first");
        TestProcesses.Result objdump;
        try {
            objdump = TestProcesses.run(Duration.ofSeconds(60),
                    new ProcessBuilder("objdump", "-T", LIBRARY.toString()).redirectErrorStream(true), null);
        } catch (IOException e) {
            throw new AssertionError("objdump (binutils) is needed to inspect " + LIBRARY, e);
        }
        String out = objdump.out();
        assertEquals(0, objdump.exit(), out);

        List<Symbol> symbols = new ArrayList<>();
        boolean table = false;
        for (String line : out.split("\n")) {
            if (line.startsWith("DYNAMIC SYMBOL TABLE")) {
                table = true;
                continue;
            }
            if (!table || line.isBlank()) {
                continue;
            }
            Matcher m = SYMBOL.matcher(line.replace('\t', ' ').stripTrailing());
            assertTrue(m.matches(), "an objdump -T line this test cannot read: '" + line + "'");
            symbols.add(new Symbol(m.group(2), m.group(3), m.group(5) == null ? "" : m.group(5), m.group(6)));
        }
        assertTrue(symbols.size() > 5, "too few dynamic symbols parsed:\n" + out);
        return symbols;
    }

    private static int compare(int[] a, int[] b) {
        return Arrays.compare(a, b);
    }
}
