package dev.jshm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jshm.internal.SegmentMemory;
import dev.jshm.stat.PosixObjectInfo;
import dev.jshm.sync.Futex;
import dev.jshm.sync.LockCorruptedException;
import dev.jshm.sync.LockNotRecoverableException;
import dev.jshm.sync.OwnerDiedException;
import dev.jshm.sync.RobustLock;
import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.nio.file.Files;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.Test;

/**
 * Java keeps copies of numbers that C defines: the flags the natives take ({@code jshm.h}) and
 * the errno values it maps to exceptions ({@code <errno.h>}). The C side is the one source of
 * truth; this test fails the build when a copy drifts from it.
 */
class NativeConstantsTest {

    /** Every flag constant of {@link Native} ({@code SYSV_}, {@code FILE_}, {@code GROW_}, {@code MAP_}) is jshm.h's {@code JSHM_} one. */
    @Test
    void nativeFlagsAreTheHeadersDefines() throws Exception {
        String header = Files.readString(TestProcesses.basedir().resolve("src/main/c/jshm.h"));
        Map<String, Long> defines = defines(header, "JSHM_");
        Map<String, Integer> flags = intConstants(Native.class, "(SYSV|FILE|GROW|MAP)_[A-Z_]+", "_FIELDS");
        assertTrue(flags.size() >= 11, "the flags are found: " + flags);
        for (Map.Entry<String, Integer> flag : flags.entrySet()) {
            Long defined = defines.get("JSHM_" + flag.getKey());
            assertTrue(defined != null, "jshm.h defines JSHM_" + flag.getKey());
            assertEquals(defined.longValue(), flag.getValue().longValue(), "Native." + flag.getKey() + " against jshm.h");
        }
    }

    @Test
    void lockLayoutIsTheLibrarys() {
        assertEquals(SegmentMemory.LOCK_SIZE, Native.lockSize(), "JSHM_LOCK_SIZE as the C library was built");
        assertEquals(SegmentMemory.LOCK_ALIGNMENT, Native.lockAlignment());
    }

    /**
     * Every errno constant of {@link Errors}, and of each class that keeps the few it compares
     * results with, is the C library's, as the compiler of the library sees it.
     */
    @Test
    void errnoValuesAreTheCLibrarys() throws Exception {
        TestProcesses.Result macros = TestProcesses.run(Duration.ofSeconds(60), null, "",
                List.of("gcc", "-E", "-dM", "-include", "errno.h", "-")).assertSuccess();
        Map<String, Long> defines = defines(macros.out(), "E");
        Map<String, Integer> errnos = intConstants(Errors.class, "E[A-Z0-9]+", null);
        assertTrue(errnos.size() >= 15, "the errno constants are found: " + errnos);
        assertErrnos(defines, Errors.class, errnos);
        List<Class<?>> keepers = List.of(Futex.class, RobustLock.class, OwnerDiedException.class,
                LockNotRecoverableException.class, LockCorruptedException.class, PosixObjectInfo.class);
        for (Class<?> type : keepers) {
            Map<String, Integer> own = intConstants(type, "E[A-Z0-9]+", null);
            assertTrue(!own.isEmpty(), type.getSimpleName() + " keeps errno constants: " + own);
            assertErrnos(defines, type, own);
        }
    }

    private static void assertErrnos(Map<String, Long> defines, Class<?> type, Map<String, Integer> errnos) {
        for (Map.Entry<String, Integer> errno : errnos.entrySet()) {
            Long defined = defines.get(errno.getKey());
            assertTrue(defined != null, "<errno.h> defines " + errno.getKey() + " (" + type.getSimpleName() + ")");
            assertEquals(defined.longValue(), errno.getValue().longValue(),
                    type.getSimpleName() + "." + errno.getKey() + " against <errno.h>");
        }
    }

    /** {@code #define NAME value} lines whose name starts with {@code prefix} and whose value is a number. */
    private static Map<String, Long> defines(String text, String prefix) {
        Map<String, Long> found = new HashMap<>();
        Matcher m = Pattern.compile("(?m)^#define\\s+(" + Pattern.quote(prefix) + "[A-Z0-9_]+)\\s+(0x[0-9A-Fa-f]+|\\d+)\\b").matcher(text);
        while (m.find()) {
            String value = m.group(2);
            found.put(m.group(1), value.startsWith("0x") ? Long.parseLong(value.substring(2), 16) : Long.parseLong(value));
        }
        return found;
    }

    /** The static final int fields of {@code type} whose names match {@code name}, but those ending in {@code except}. */
    private static Map<String, Integer> intConstants(Class<?> type, String name, String except) throws IllegalAccessException {
        Map<String, Integer> found = new TreeMap<>();
        for (Field field : type.getDeclaredFields()) {
            int modifiers = field.getModifiers();
            if (Modifier.isStatic(modifiers) && Modifier.isFinal(modifiers) && field.getType() == int.class
                    && field.getName().matches(name) && (except == null || !field.getName().endsWith(except))) {
                field.setAccessible(true);
                found.put(field.getName(), field.getInt(null));
            }
        }
        return found;
    }
}
