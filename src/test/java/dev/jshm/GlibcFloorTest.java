package dev.jshm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.Test;

/**
 * The bundled library loads on glibc 2.17 and later: no symbol it imports may need a newer glibc.
 * The pthread functions that glibc 2.34 re-versioned (the robust lock uses them) are the usual
 * way to break this, so their versions are checked by name too.
 */
class GlibcFloorTest {

    private static final int[] FLOOR = {2, 17};
    private static final Pattern VERSIONED = Pattern.compile("\\(?GLIBC_([0-9.]+)\\)?\\s+(\\S+)\\s*$");

    @Test
    void theBundledLibraryNeedsNothingAboveGlibc217() throws Exception {
        String platform = NativeLibraryLoader.platformDirectory(System.getProperty("os.name"), System.getProperty("os.arch"));
        Path library = Path.of("target", "classes", "native", platform, "libjshm.so");
        assertTrue(Files.isRegularFile(library), library + " is missing: build the native library first");

        Process objdump = new ProcessBuilder("objdump", "-T", library.toString()).redirectErrorStream(true).start();
        String table = new String(objdump.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(objdump.waitFor(60, TimeUnit.SECONDS), "objdump did not finish");
        assertEquals(0, objdump.exitValue(), table);

        List<String[]> imports = table.lines().filter(l -> l.contains("*UND*") && l.contains("GLIBC_"))
                .map(VERSIONED::matcher).filter(Matcher::find).map(m -> new String[] {m.group(1), m.group(2)}).toList();
        assertFalse(imports.isEmpty(), "no versioned glibc imports found in:\n" + table);
        String[] newest = imports.stream().max(Comparator.comparing(i -> version(i[0]), Arrays::compare)).orElseThrow();
        assertTrue(Arrays.compare(version(newest[0]), FLOOR) <= 0,
                newest[1] + " needs GLIBC_" + newest[0] + ", above the 2.17 floor:\n" + table);

        for (String[] pinned : new String[][] {{"pthread_mutexattr_setrobust", "2.12"}, {"pthread_mutex_consistent", "2.12"},
                {"pthread_mutexattr_setpshared", "2.2.5"}, {"pthread_mutex_trylock", "2.2.5"}, {"pthread_mutex_timedlock", "2.2.5"}}) {
            if (platform.equals("linux-x86_64")) {
                assertTrue(imports.stream().anyMatch(i -> i[1].equals(pinned[0]) && i[0].equals(pinned[1])),
                        pinned[0] + " must be bound to GLIBC_" + pinned[1] + ":\n" + table);
            }
        }
    }

    private static int[] version(String text) {
        return Arrays.stream(text.split("\\.")).mapToInt(Integer::parseInt).toArray();
    }
}
