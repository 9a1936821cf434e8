package dev.jshm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jshm.internal.SegmentMemory;
import java.io.IOException;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The natives are no public door into raw memory: only the package-private {@link Native}
 * declares native methods, and no public or protected method or constructor of the library takes
 * an address, so a class-path user (for whom module boundaries do not hold) can reach memory only
 * through a {@link Segment} and an offset the library checks.
 */
class NoRawAddressTest {

    /** A parameter list of a public or protected member with a {@code long} named like an address. */
    private static final Pattern ADDRESS_PARAMETER = Pattern.compile(
            "(?:public|protected)[^;{}=]*?\\(([^)]*\\blong\\s+(?:address|addr|base|pointer|ptr)\\w*\\b[^)]*)\\)");

    @Test
    void onlyThePackagePrivateNativeClassDeclaresNatives() throws Exception {
        List<String> natives = new ArrayList<>();
        for (Class<?> type : libraryClasses()) {
            for (Method method : type.getDeclaredMethods()) {
                if (Modifier.isNative(method.getModifiers())) {
                    natives.add(type.getName() + "." + method.getName());
                }
            }
        }
        assertFalse(natives.isEmpty(), "the scan finds the natives at all");
        for (String method : natives) {
            assertTrue(method.startsWith("dev.jshm.Native."), "a native outside dev.jshm.Native: " + method);
        }
        assertFalse(Modifier.isPublic(Native.class.getModifiers()), "dev.jshm.Native is public");
        for (Method method : Native.class.getDeclaredMethods()) {
            int modifiers = method.getModifiers();
            assertFalse(Modifier.isPublic(modifiers) || Modifier.isProtected(modifiers),
                    "Native." + method.getName() + " is reachable from outside dev.jshm");
        }
    }

    @Test
    void noPublicMemberTakesAnAddress() throws IOException {
        Path sources = TestProcesses.basedir().resolve("src/main/java");
        List<String> found = new ArrayList<>();
        int scanned = 0;
        try (Stream<Path> files = Files.walk(sources)) {
            for (Path file : (Iterable<Path>) files.filter(f -> f.toString().endsWith(".java"))::iterator) {
                scanned++;
                Matcher m = ADDRESS_PARAMETER.matcher(Files.readString(file));
                while (m.find()) {
                    found.add(sources.relativize(file) + ": (" + m.group(1).replaceAll("\\s+", " ") + ")");
                }
            }
        }
        assertTrue(scanned > 50, "the scan reads the sources: " + scanned + " files");
        assertEquals(List.of(), found, "public or protected members that take an address");
    }

    @Test
    void theBridgeTakesASegmentWhereverItTakesAnOffset() {
        int checked = 0;
        for (Method method : SegmentMemory.class.getMethods()) {
            Class<?>[] parameters = method.getParameterTypes();
            boolean takesLong = Stream.of(parameters).anyMatch(p -> p == long.class);
            if (takesLong) {
                checked++;
                assertEquals(Segment.class, parameters[0], method + " takes a long but not a Segment first");
            }
        }
        assertTrue(checked >= 10, "the bridge's memory methods are found: " + checked);
    }

    @Test
    void theAddressPatternCatchesAnAddressParameter() {
        assertTrue(ADDRESS_PARAMETER.matcher("public static int peek(long address, int length) {").find());
        assertTrue(ADDRESS_PARAMETER.matcher("protected Foo(Segment s,\n        long base) {").find());
        assertFalse(ADDRESS_PARAMETER.matcher("public long getLong(long offset) {").find());
    }

    private static List<Class<?>> libraryClasses() throws IOException, URISyntaxException, ClassNotFoundException {
        Path root = Path.of(Segment.class.getProtectionDomain().getCodeSource().getLocation().toURI());
        List<Class<?>> classes = new ArrayList<>();
        try (Stream<Path> files = Files.walk(root)) {
            for (Path file : (Iterable<Path>) files.filter(f -> f.toString().endsWith(".class"))::iterator) {
                String name = root.relativize(file).toString();
                if (name.equals("module-info.class")) {
                    continue;
                }
                classes.add(Class.forName(name.substring(0, name.length() - ".class".length()).replace('/', '.'), false,
                        Segment.class.getClassLoader()));
            }
        }
        assertTrue(classes.size() > 50, "the scan finds the library's classes: " + classes.size());
        return classes;
    }
}
