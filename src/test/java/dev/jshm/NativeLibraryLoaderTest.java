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

    private static final NativePlatform PLATFORM = NativePlatform.of("Linux", "amd64", "/lib64/ld-linux-x86-64.so.2");
    private static final byte[] LIBRARY = "\u007fELF not really a library".getBytes(StandardCharsets.US_ASCII);
    private static final String NOEXEC_ERROR = "/tmp/libjshm-1.so: failed to map segment from shared object";

    @TempDir
    Path jar;

    @TempDir
    Path workDir;

    @Test
    void platformDirectoryNormalisesArchitectureNames() {
        assertEquals("linux-x86_64", NativePlatform.of("Linux", "amd64", null).directory());
        assertEquals("linux-x86_64", NativePlatform.of("Linux", "x86_64", null).directory());
        assertEquals("linux-aarch64", NativePlatform.of("Linux", "aarch64", null).directory());
        assertEquals("linux-aarch64", NativePlatform.of("Linux", "arm64", null).directory());
        assertEquals("linux-ppc64le", NativePlatform.of("Linux", "PPC64LE", null).directory());
    }

    @Test
    void onlyX86_64AndAarch64WithGlibcAreBundled() {
        assertTrue(NativePlatform.of("Linux", "amd64", "/lib64/ld-linux-x86-64.so.2").bundled());
        assertTrue(NativePlatform.of("Linux", "arm64", "/lib/ld-linux-aarch64.so.1").bundled());
        assertTrue(NativePlatform.of("Linux", "aarch64", null).bundled(), "unknown loader: assume glibc");
        assertNull(NativePlatform.of("Linux", "aarch64", null).unsupportedReason());
        assertFalse(NativePlatform.of("Linux", "ppc64le", "/lib64/ld64.so.2").bundled());
        assertFalse(NativePlatform.of("Linux", "riscv64", null).bundled());
        NativePlatform alpine = NativePlatform.of("Linux", "amd64", "/lib/ld-musl-x86_64.so.1");
        assertTrue(alpine.musl());
        assertFalse(alpine.bundled());
        NativePlatform alpineArm = NativePlatform.of("Linux", "aarch64", "/lib/ld-musl-aarch64.so.1");
        assertFalse(alpineArm.bundled());
        assertTrue(alpineArm.unsupportedReason().contains("linux-aarch64 with musl libc (the JVM's loader is "
                + "/lib/ld-musl-aarch64.so.1)"), alpineArm.unsupportedReason());
    }

    @Test
    void thisJvmIsASupportedGlibcPlatform() {
        NativePlatform here = NativePlatform.current();
        assertTrue(here.bundled(), here.toString());
        assertFalse(here.musl(), here.toString());
        assertTrue(here.interpreter() != null && here.interpreter().contains("ld-linux"), here.toString());
    }

    @Test
    void platformDirectoryRejectsOtherSystemsNamingThem() {
        NativeUnavailableException mac = assertThrows(NativeUnavailableException.class,
                () -> NativePlatform.of("Mac OS X", "x86_64", null));
        assertTrue(mac.getMessage().contains("Linux only"), mac.getMessage());
        assertTrue(mac.getMessage().contains("os.name=Mac OS X"), mac.getMessage());
        assertTrue(mac.getMessage().contains("os.arch=x86_64"), mac.getMessage());

        NativeUnavailableException windows = assertThrows(NativeUnavailableException.class,
                () -> NativePlatform.of("Windows 10", "amd64", null));
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
        assertTrue(message.contains("platform=" + PLATFORM.directory() + "); tried:"), message);
        int property = message.indexOf("\n  - jshm.native.path=/opt/jshm/libjshm.so: ");
        int bundled = message.indexOf("\n  - bundled native/" + PLATFORM.directory() + "/libjshm.so extracted to " + workDir);
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
    void absentResourceIsReportedAndNotLoaded() throws IOException {
        FakeLinker linker = new FakeLinker(fail("nothing to load"), fail("no jshm in java.library.path"));
        NativePlatform arm = NativePlatform.of("Linux", "aarch64", "/lib/ld-linux-aarch64.so.1");

        NativeUnavailableException e;
        try (URLClassLoader resources = bundle(LIBRARY)) {
            e = assertThrows(NativeUnavailableException.class,
                    () -> NativeLibraryLoader.loadFirst(arm, null, resources, workDir, linker));
        }

        assertTrue(e.getMessage().contains(
                "\n  - no resource native/linux-aarch64/libjshm.so in the jar (platform not supported by this build)"),
                e.getMessage());
        assertEquals(List.of("loadLibrary jshm"), linker.calls);
        assertEquals(2, e.getSuppressed().length);
        assertInstanceOf(FileNotFoundException.class, e.getSuppressed()[0]);
        assertEquals(0, countFiles(workDir));
    }

    /** An architecture the jar has no library for: no bundled attempt, and the error says what to do. */
    @Test
    void unsupportedArchitectureSaysWhatIsSupportedAndWhatToDo() throws IOException {
        FakeLinker linker = new FakeLinker(fail("nothing to load"), fail("no jshm in java.library.path"));
        NativePlatform riscv = NativePlatform.of("Linux", "riscv64", "/lib/ld-linux-riscv64-lp64d.so.1");

        NativeUnavailableException e;
        try (URLClassLoader resources = bundleAs("linux-riscv64", LIBRARY)) {
            e = assertThrows(NativeUnavailableException.class,
                    () -> NativeLibraryLoader.loadFirst(riscv, null, resources, workDir, linker));
        }

        String message = e.getMessage();
        assertTrue(message.contains("os.arch=riscv64, platform=linux-riscv64); tried:"), message);
        assertTrue(message.contains("\n  - no bundled library: this jar bundles libjshm.so for linux-x86_64 and "
                + "linux-aarch64 with glibc 2.17 or newer only, and this JVM runs on linux-riscv64 (os.arch=riscv64)"),
                message);
        assertTrue(message.contains("build the C library from src/main/c"), message);
        assertTrue(message.contains("-Djshm.native.path=/path/to/libjshm.so"), message);
        // Even a resource of that name is not tried: the build makes none for this platform.
        assertEquals(List.of("loadLibrary jshm"), linker.calls);
        assertEquals(1, e.getSuppressed().length);
        assertEquals(0, countFiles(workDir));
    }

    /** musl cannot load a glibc library: the x86_64 one is in the jar but never extracted. */
    @Test
    void muslNeverGetsTheGlibcLibraryButMayNameItsOwn() throws IOException {
        NativePlatform alpine = NativePlatform.of("Linux", "amd64", "/lib/ld-musl-x86_64.so.1");
        FakeLinker refusing = new FakeLinker(fail("nothing to load"), fail("no jshm in java.library.path"));

        NativeUnavailableException e;
        try (URLClassLoader resources = bundle(LIBRARY)) {
            e = assertThrows(NativeUnavailableException.class,
                    () -> NativeLibraryLoader.loadFirst(alpine, null, resources, workDir, refusing));
        }
        String message = e.getMessage();
        assertTrue(message.contains("platform=linux-x86_64 with musl); tried:"), message);
        assertTrue(message.contains("this JVM runs on linux-x86_64 with musl libc (the JVM's loader is "
                + "/lib/ld-musl-x86_64.so.1); run a glibc-based JVM (Debian, Ubuntu, RHEL and their images), or "
                + "build the C library from src/main/c"), message);
        assertEquals(List.of("loadLibrary jshm"), refusing.calls);
        assertEquals(0, countFiles(workDir));

        FakeLinker accepting = new FakeLinker(path -> { }, fail("loadLibrary must not be reached"));
        try (URLClassLoader resources = bundle(LIBRARY)) {
            assertEquals("/opt/musl/libjshm.so",
                    NativeLibraryLoader.loadFirst(alpine, "/opt/musl/libjshm.so", resources, workDir, accepting));
        }
        assertEquals(List.of("load /opt/musl/libjshm.so"), accepting.calls);
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
        return bundleAs(PLATFORM.directory(), library);
    }

    private URLClassLoader bundleAs(String directory, byte[] library) throws IOException {
        Path so = jar.resolve("native").resolve(directory).resolve("libjshm.so");
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
