package dev.jshm;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.FileNotFoundException;
import java.io.IOException;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The loader's decisions, exercised through a fake linker: nothing is ever loaded into the JVM. */
class NativeLibraryLoaderTest {

    private static final String PLATFORM = "linux-x86_64";
    private static final byte[] LIBRARY = "\u007fELF not really a library".getBytes(StandardCharsets.US_ASCII);
    private static final String NOEXEC_ERROR = "/tmp/libjshm-1.so: failed to map segment from shared object";

    @TempDir
    Path jar;

    @TempDir
    Path workDir;

    @Test
    void platformDirectoryNormalisesArchitectureNames() {
        assertEquals("linux-x86_64", NativeLibraryLoader.platformDirectory("Linux", "amd64"));
        assertEquals("linux-x86_64", NativeLibraryLoader.platformDirectory("Linux", "x86_64"));
        assertEquals("linux-aarch64", NativeLibraryLoader.platformDirectory("Linux", "aarch64"));
        assertEquals("linux-aarch64", NativeLibraryLoader.platformDirectory("Linux", "arm64"));
        assertEquals("linux-ppc64le", NativeLibraryLoader.platformDirectory("Linux", "PPC64LE"));
    }

    @Test
    void platformDirectoryRejectsOtherSystemsNamingThem() {
        NativeUnavailableException mac = assertThrows(NativeUnavailableException.class,
                () -> NativeLibraryLoader.platformDirectory("Mac OS X", "x86_64"));
        assertTrue(mac.getMessage().contains("Linux only"), mac.getMessage());
        assertTrue(mac.getMessage().contains("os.name=Mac OS X"), mac.getMessage());
        assertTrue(mac.getMessage().contains("os.arch=x86_64"), mac.getMessage());

        NativeUnavailableException windows = assertThrows(NativeUnavailableException.class,
                () -> NativeLibraryLoader.platformDirectory("Windows 10", "amd64"));
        assertTrue(windows.getMessage().contains("os.name=Windows 10"), windows.getMessage());
        assertTrue(windows.getMessage().contains("os.arch=amd64"), windows.getMessage());
    }

    @Test
    void extractsAPrivateCopyLoadsItAndDeletesIt() throws IOException {
        List<String> seenAtLoadTime = new ArrayList<>();
        FakeLinker linker = new FakeLinker(path -> {
            Path file = Path.of(path);
            assertTrue(file.isAbsolute(), path);
            assertEquals(workDir, file.getParent());
            assertTrue(Files.isRegularFile(file, LinkOption.NOFOLLOW_LINKS), path);
            seenAtLoadTime.add(PosixFilePermissions.toString(
                    uncheck(() -> Files.getPosixFilePermissions(file, LinkOption.NOFOLLOW_LINKS))));
            assertArrayEquals(LIBRARY, uncheck(() -> Files.readAllBytes(file)));
        }, fail("loadLibrary must not be reached"));

        String loaded;
        try (URLClassLoader resources = bundle(LIBRARY)) {
            loaded = NativeLibraryLoader.loadFirst(PLATFORM, null, resources, workDir, linker);
        }

        assertEquals(List.of("load " + loaded), linker.calls);
        assertEquals(List.of("rw-------"), seenAtLoadTime);
        String name = Path.of(loaded).getFileName().toString();
        assertTrue(name.startsWith("libjshm-") && name.endsWith(".so"), name);
        assertFalse(Files.exists(Path.of(loaded), LinkOption.NOFOLLOW_LINKS), "extracted copy left behind");
        assertEquals(0, countFiles(workDir));
    }

    @Test
    void extractedCopyIsDeletedWhenLoadingItFails() throws IOException {
        FakeLinker linker = new FakeLinker(fail("invalid ELF header"), fail("no jshm in java.library.path"));

        try (URLClassLoader resources = bundle(LIBRARY)) {
            assertThrows(NativeUnavailableException.class,
                    () -> NativeLibraryLoader.loadFirst(PLATFORM, null, resources, workDir, linker));
        }

        assertEquals(2, linker.calls.size(), linker.calls.toString());
        assertEquals(0, countFiles(workDir));
    }

    @Test
    void twoExtractionsIntoOneDirectoryGetDifferentNames() throws IOException {
        FakeLinker linker = new FakeLinker(path -> { }, fail("loadLibrary must not be reached"));

        try (URLClassLoader resources = bundle(LIBRARY)) {
            String first = NativeLibraryLoader.loadFirst(PLATFORM, null, resources, workDir, linker);
            String second = NativeLibraryLoader.loadFirst(PLATFORM, null, resources, workDir, linker);
            assertNotEquals(first, second);
            assertEquals(List.of("load " + first, "load " + second), linker.calls);
        }
    }

    @Test
    void createsAWorkDirectoryThatDoesNotExist() throws IOException {
        Path nested = workDir.resolve("a").resolve("b");
        FakeLinker linker = new FakeLinker(path -> assertEquals(nested, Path.of(path).getParent()),
                fail("loadLibrary must not be reached"));

        try (URLClassLoader resources = bundle(LIBRARY)) {
            NativeLibraryLoader.loadFirst(PLATFORM, null, resources, nested, linker);
        }

        assertTrue(Files.isDirectory(nested));
        assertEquals(1, linker.calls.size());
    }

    @Test
    void whenEveryAttemptFailsTheErrorListsEachInOrderWithItsCause() throws IOException {
        FakeLinker linker = new FakeLinker(fail(NOEXEC_ERROR), fail("no jshm in java.library.path"));

        NativeUnavailableException e;
        try (URLClassLoader resources = bundle(LIBRARY)) {
            e = assertThrows(NativeUnavailableException.class, () -> NativeLibraryLoader.loadFirst(
                    PLATFORM, "/opt/jshm/libjshm.so", resources, workDir, linker));
        }
        String message = e.getMessage();

        assertTrue(message.startsWith("jshm native library could not be loaded (os.name="), message);
        assertTrue(message.contains("platform=" + PLATFORM + "); tried:"), message);
        int property = message.indexOf("\n  - jshm.native.path=/opt/jshm/libjshm.so: ");
        int bundled = message.indexOf("\n  - bundled native/" + PLATFORM + "/libjshm.so extracted to " + workDir);
        int libraryPath = message.indexOf("\n  - java.library.path=");
        assertTrue(property >= 0 && bundled > property && libraryPath > bundled, message);
        assertTrue(message.contains("no jshm in java.library.path"), message);
        assertTrue(message.contains("the directory " + workDir + " may be mounted noexec; set -Djshm.native.workdir"),
                message);
        // The hint belongs to the extracted copy only: the property's file was not in workDir.
        assertEquals(1, count(message, "may be mounted noexec"), message);

        Throwable[] suppressed = e.getSuppressed();
        assertEquals(3, suppressed.length);
        assertEquals(NOEXEC_ERROR, suppressed[0].getMessage());
        assertEquals(NOEXEC_ERROR, suppressed[1].getMessage());
        assertEquals("no jshm in java.library.path", suppressed[2].getMessage());
        assertEquals(3, linker.calls.size(), linker.calls.toString());
        assertEquals("load /opt/jshm/libjshm.so", linker.calls.get(0));
        assertEquals("loadLibrary jshm", linker.calls.get(2));
    }

    @Test
    void propertyPathIsTriedFirstAndOnSuccessNothingIsExtracted() throws IOException {
        FakeLinker linker = new FakeLinker(path -> { }, fail("loadLibrary must not be reached"));

        String loaded;
        try (URLClassLoader resources = bundle(LIBRARY)) {
            loaded = NativeLibraryLoader.loadFirst(PLATFORM, "/opt/jshm/libjshm.so", resources, workDir, linker);
        }

        assertEquals("/opt/jshm/libjshm.so", loaded);
        assertEquals(List.of("load /opt/jshm/libjshm.so"), linker.calls);
        assertEquals(0, countFiles(workDir));
    }

    @Test
    void failingPropertyPathFallsThroughToTheBundledCopy() throws IOException {
        FakeLinker linker = new FakeLinker(path -> {
            if (path.equals("/opt/jshm/libjshm.so")) {
                throw new UnsatisfiedLinkError("cannot open shared object file: No such file or directory");
            }
        }, fail("loadLibrary must not be reached"));

        String loaded;
        try (URLClassLoader resources = bundle(LIBRARY)) {
            loaded = NativeLibraryLoader.loadFirst(PLATFORM, "/opt/jshm/libjshm.so", resources, workDir, linker);
        }

        assertEquals(workDir, Path.of(loaded).getParent());
        assertEquals(List.of("load /opt/jshm/libjshm.so", "load " + loaded), linker.calls);
    }

    @Test
    void absentResourceIsReportedAsAnUnsupportedPlatformAndNotLoaded() throws IOException {
        FakeLinker linker = new FakeLinker(fail("nothing to load"), fail("no jshm in java.library.path"));

        NativeUnavailableException e;
        try (URLClassLoader resources = bundle(LIBRARY)) {
            e = assertThrows(NativeUnavailableException.class,
                    () -> NativeLibraryLoader.loadFirst("linux-sparc64", null, resources, workDir, linker));
        }

        assertTrue(e.getMessage().contains(
                "\n  - no resource native/linux-sparc64/libjshm.so in the jar (platform not supported by this build)"),
                e.getMessage());
        assertEquals(List.of("loadLibrary jshm"), linker.calls);
        assertEquals(2, e.getSuppressed().length);
        assertInstanceOf(FileNotFoundException.class, e.getSuppressed()[0]);
        assertEquals(0, countFiles(workDir));
    }

    @Test
    void noexecHintRecognisesOnlyARefusedMapping() {
        assertTrue(NativeLibraryLoader.noexecHint(new UnsatisfiedLinkError(NOEXEC_ERROR), workDir)
                .contains("the directory " + workDir + " may be mounted noexec"));
        assertTrue(NativeLibraryLoader.noexecHint(
                new UnsatisfiedLinkError("x.so: cannot mmap: Operation not permitted"), workDir) != null);
        assertNull(NativeLibraryLoader.noexecHint(
                new UnsatisfiedLinkError("x.so: cannot open shared object file: No such file or directory"), workDir));
        assertNull(NativeLibraryLoader.noexecHint(new UnsatisfiedLinkError(), workDir));
        assertNull(NativeLibraryLoader.noexecHint(new IOException(NOEXEC_ERROR), workDir));
    }

    /** A class loader that sees only {@code native/<PLATFORM>/libjshm.so}, holding {@code library}. */
    private URLClassLoader bundle(byte[] library) throws IOException {
        Path so = jar.resolve("native").resolve(PLATFORM).resolve("libjshm.so");
        Files.createDirectories(so.getParent());
        Files.write(so, library);
        return new URLClassLoader(new URL[] {jar.toUri().toURL()}, null);
    }

    private static long countFiles(Path dir) throws IOException {
        try (Stream<Path> files = Files.list(dir)) {
            return files.count();
        }
    }

    private static int count(String text, String part) {
        int n = 0;
        for (int i = text.indexOf(part); i >= 0; i = text.indexOf(part, i + 1)) {
            n++;
        }
        return n;
    }

    private static Consumer<String> fail(String message) {
        return argument -> {
            throw new UnsatisfiedLinkError(message);
        };
    }

    private interface IoSupplier<T> {
        T get() throws IOException;
    }

    private static <T> T uncheck(IoSupplier<T> supplier) {
        try {
            return supplier.get();
        } catch (IOException e) {
            throw new AssertionError(e);
        }
    }

    /** Records every call, then behaves as the test says. */
    private static final class FakeLinker implements NativeLibraryLoader.Linker {

        final List<String> calls = new ArrayList<>();
        private final Consumer<String> onLoad;
        private final Consumer<String> onLoadLibrary;

        FakeLinker(Consumer<String> onLoad, Consumer<String> onLoadLibrary) {
            this.onLoad = onLoad;
            this.onLoadLibrary = onLoadLibrary;
        }

        @Override
        public void load(String absolutePath) {
            calls.add("load " + absolutePath);
            onLoad.accept(absolutePath);
        }

        @Override
        public void loadLibrary(String name) {
            calls.add("loadLibrary " + name);
            onLoadLibrary.accept(name);
        }
    }
}
