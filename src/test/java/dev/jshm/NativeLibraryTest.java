package dev.jshm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
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
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The bundled shims as binaries, one per platform: each is code for its machine, loads on old
 * systems (glibc 2.17, as RHEL/CentOS 7 and the first aarch64 glibc), exports nothing but
 * {@code JNI_OnLoad}, and none of the entry points makes {@code -Xcheck:jni} complain.
 */
class NativeLibraryTest {

    private static final int[] OLDEST_GLIBC = {2, 17};

    /** A bundled library: its directory and the ELF e_machine of its code. */
    enum Bundled {
        X86_64("linux-x86_64", 62),
        AARCH64("linux-aarch64", 183);

        final Path library;
        final int elfMachine;

        Bundled(String directory, int elfMachine) {
            this.library = TestProcesses.targetDir().resolve(Path.of("classes", "native", directory, "libjshm.so"));
            this.elfMachine = elfMachine;
        }
    }

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

    /** The ELF header: 64-bit, little-endian, a shared object, for this platform's machine. */
    @ParameterizedTest
    @EnumSource(Bundled.class)
    void isASharedObjectForItsMachine(Bundled bundled) throws IOException {
        assertTrue(Files.isRegularFile(bundled.library), bundled.library + " is missing: build with mvn first");
        byte[] header = new byte[20];
        try (InputStream in = Files.newInputStream(bundled.library)) {
            assertEquals(header.length, in.readNBytes(header, 0, header.length));
        }
        ByteBuffer elf = ByteBuffer.wrap(header).order(ByteOrder.LITTLE_ENDIAN);
        assertEquals(0x464c457f, elf.getInt(0), "ELF magic");
        assertEquals(2, header[4], "ELFCLASS64");
        assertEquals(1, header[5], "ELFDATA2LSB");
        assertEquals(3, elf.getShort(16), "e_type ET_DYN");
        assertEquals(bundled.elfMachine, elf.getShort(18) & 0xffff, "e_machine of " + bundled.library);
    }

    /**
     * The linker's hardening, the same for both builds: full RELRO (a read-only GNU_RELRO
     * segment and BIND_NOW) and a stack that is not executable (GNU_STACK without E).
     */
    @ParameterizedTest
    @EnumSource(Bundled.class)
    void isLinkedWithFullRelroAndANonExecutableStack(Bundled bundled) throws Exception {
        String segments = readelf("-lW", bundled.library);
        assertTrue(segments.lines().anyMatch(line -> line.strip().startsWith("GNU_RELRO")), segments);
        String stack = segments.lines().filter(line -> line.strip().startsWith("GNU_STACK")).findFirst()
                .orElseThrow(() -> new AssertionError("no GNU_STACK header: the stack would be executable\n" + segments));
        // Type, Offset, VirtAddr, PhysAddr, FileSiz, MemSiz, Flg, Align.
        String[] columns = stack.strip().split("\\s+");
        assertEquals(8, columns.length, stack);
        assertEquals("RW", columns[6], "GNU_STACK flags: " + stack);
        String dynamic = readelf("-dW", bundled.library);
        assertTrue(dynamic.contains("(FLAGS)") && dynamic.contains("BIND_NOW"), dynamic);
    }

    private static String readelf(String option, Path library) throws IOException, InterruptedException {
        assertTrue(Files.isRegularFile(library), library + " is missing: build with mvn first");
        TestProcesses.Result readelf = TestProcesses.run(Duration.ofSeconds(60),
                new ProcessBuilder("readelf", option, library.toString()).redirectErrorStream(true), null);
        assertEquals(0, readelf.exit(), readelf.out());
        return readelf.out();
    }

    @ParameterizedTest
    @EnumSource(Bundled.class)
    void needsNoGlibcAbove2_17(Bundled bundled) throws Exception {
        List<Symbol> symbols = dynamicSymbols(bundled.library);
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
        assertTrue(offending.isEmpty(), bundled.library + " needs glibc " + newest[0] + "." + newest[1]
                + (newest[2] == 0 ? "" : "." + newest[2]) + ", above 2.17, for: " + offending);
    }

    /**
     * The robust lock is jshm's own (jshm_lock.c), not a pthread mutex: no pthread mutex function
     * is imported, so none needs pinning to a pre-2.34 version, and glibc's robust list, which
     * follows pointers stored in shared memory, is never used.
     */
    @ParameterizedTest
    @EnumSource(Bundled.class)
    void noPthreadMutexIsImported(Bundled bundled) throws Exception {
        List<Symbol> symbols = dynamicSymbols(bundled.library);
        List<String> mutex = symbols.stream().map(Symbol::name).filter(n -> n.startsWith("pthread_mutex")).toList();
        assertTrue(mutex.isEmpty(), "pthread mutex functions imported: " + mutex);
        assertTrue(symbols.stream().anyMatch(sym -> sym.name().equals("syscall")), "the symbol list is read: " + symbols);
    }

    @ParameterizedTest
    @EnumSource(Bundled.class)
    void exportsOnlyJniOnLoad(Bundled bundled) throws Exception {
        List<Symbol> symbols = dynamicSymbols(bundled.library);
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

    /**
     * The dynamic symbol table of a bundled library, parsed. The host's objdump reads the
     * symbol tables of other machines' ELF files too.
     */
    private static List<Symbol> dynamicSymbols(Path library) throws IOException, InterruptedException {
        assertTrue(Files.isRegularFile(library), library + " is missing: build with mvn first");
        TestProcesses.Result objdump;
        try {
            objdump = TestProcesses.run(Duration.ofSeconds(60),
                    new ProcessBuilder("objdump", "-T", library.toString()).redirectErrorStream(true), null);
        } catch (IOException e) {
            throw new AssertionError("objdump (binutils) is needed to inspect " + library, e);
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
