package dev.jshm;

import java.io.FileNotFoundException;
import java.io.IOException;
import java.io.InputStream;
import java.lang.System.Logger.Level;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileAttribute;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * Loads {@code libjshm.so} into the JVM, trying in order and stopping at the first that works:
 * <ol>
 *   <li>the exact file named by the system property {@value #PATH_PROPERTY}, if it is set;</li>
 *   <li>the copy bundled in the jar at {@code native/linux-<arch>/libjshm.so}, extracted to a
 *       private temporary file (random name, mode 0600) in the directory named by
 *       {@value #WORKDIR_PROPERTY} (default {@code java.io.tmpdir}), loaded, and deleted at once;
 *       only on a platform the jar has a library for ({@link NativePlatform#bundled()}: x86_64
 *       and aarch64 with glibc), and never on musl, whose loader cannot take a glibc library;</li>
 *   <li>{@code System.loadLibrary("jshm")}, which searches {@code java.library.path}.</li>
 * </ol>
 *
 * <p>Fails with {@link NativeUnavailableException} on any OS but Linux, without trying anything,
 * or when every attempt failed; the message then lists {@code os.name}, {@code os.arch} and each
 * attempt with its reason (on an unsupported platform: which platforms the jar serves and how to
 * build and name a library for this one), and each failure is attached as a suppressed exception.
 *
 * <p>Not thread-safe by itself: {@link #load()} is called once, from the static initialiser of
 * {@link Native}, and the JVM runs class initialisation under a lock.
 */
final class NativeLibraryLoader {

    /** Names an exact {@code .so} file to load before anything else. */
    static final String PATH_PROPERTY = "jshm.native.path";

    /** Directory the bundled library is extracted to; use it when {@code java.io.tmpdir} is noexec. */
    static final String WORKDIR_PROPERTY = "jshm.native.workdir";

    private static final String LIBRARY_NAME = "jshm";

    private static final FileAttribute<Set<PosixFilePermission>> OWNER_READ_WRITE =
            PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------"));

    /** How a library gets into the JVM; tests substitute a fake so that nothing is loaded. */
    interface Linker {

        /** Loads the file at {@code absolutePath}, as {@link System#load} does. */
        void load(String absolutePath);

        /** Loads {@code name} from {@code java.library.path}, as {@link System#loadLibrary} does. */
        void loadLibrary(String name);
    }

    // System.load binds the library to the class loader of its caller: this class must share
    // Native's loader, so that JNI_OnLoad can register Native's methods.
    private static final Linker SYSTEM = new Linker() {
        @Override
        public void load(String absolutePath) {
            System.load(absolutePath);
        }

        @Override
        public void loadLibrary(String name) {
            System.loadLibrary(name);
        }
    };

    private NativeLibraryLoader() {
    }

    /**
     * Loads the library into this JVM. Called once, from {@link Native}'s static initialiser.
     *
     * @throws NativeUnavailableException if the OS is not Linux or no attempt worked
     */
    static void load() {
        NativePlatform platform = NativePlatform.current();
        Path workDir = Path.of(System.getProperty(WORKDIR_PROPERTY, System.getProperty("java.io.tmpdir")));
        loadFirst(platform, System.getProperty(PATH_PROPERTY), NativeLibraryLoader.class.getClassLoader(),
                workDir, SYSTEM);
    }

    /**
     * A hint for a link error that looks like the dynamic loader refused to map a file from a
     * {@code noexec} file system, or null if it does not.
     */
    static String noexecHint(Throwable error, Path dir) {
        if (!(error instanceof UnsatisfiedLinkError) || error.getMessage() == null) {
            return null;
        }
        String message = error.getMessage().toLowerCase(Locale.ROOT);
        boolean refusedToMap = message.contains("failed to map segment from shared object")
                || message.contains("mmap") && message.contains("operation not permitted");
        if (!refusedToMap) {
            return null;
        }
        return "the directory " + dir + " may be mounted noexec; set -D" + WORKDIR_PROPERTY
                + " to a directory on an executable file system";
    }

    /**
     * Makes the attempts described on the class, through {@code linker}, and stops at the first
     * that works.
     *
     * @param platform     the platform; the bundled library is tried only if the jar has one for it
     * @param overridePath the exact file to try first, or null to skip that attempt
     * @param resources    where to look for the bundled library
     * @param workDir      where to extract the bundled library; created if it does not exist
     * @return what loaded: the path given to {@link Linker#load} (an extracted copy is already
     *         deleted), or the library name given to {@link Linker#loadLibrary}
     * @throws NativeUnavailableException if every attempt failed
     */
    static String loadFirst(NativePlatform platform, String overridePath, ClassLoader resources, Path workDir,
                            Linker linker) {
        FailedAttempts failed = new FailedAttempts();

        if (overridePath != null) {
            try {
                linker.load(overridePath);
                return overridePath;
            } catch (UnsatisfiedLinkError e) {
                failed.add(PATH_PROPERTY + "=" + overridePath + ": " + e, e);
            }
        }

        if (platform.bundled()) {
            String loaded = loadBundled("native/" + platform.directory() + "/" + System.mapLibraryName(LIBRARY_NAME),
                    resources, workDir, linker, failed);
            if (loaded != null) {
                return loaded;
            }
        } else {
            failed.add("no bundled library: " + platform.unsupportedReason(), null);
        }

        try {
            linker.loadLibrary(LIBRARY_NAME);
            return LIBRARY_NAME;
        } catch (UnsatisfiedLinkError e) {
            failed.add("java.library.path=" + System.getProperty("java.library.path") + ": " + e, e);
        }

        throw failed.toException("jshm native library could not be loaded (os.name=" + platform.osName()
                + ", os.arch=" + platform.osArch() + ", platform=" + platform.directory()
                + (platform.musl() ? " with musl" : "") + "); tried:");
    }

    /** @return the path of the extracted copy that loaded, or null after recording the failure */
    private static String loadBundled(String resource, ClassLoader resources, Path workDir, Linker linker,
                                      FailedAttempts failed) {
        byte[] library;
        try (InputStream in = resources.getResourceAsStream(resource)) {
            if (in == null) {
                String message = "no resource " + resource + " in the jar (platform not supported by this build)";
                failed.add(message, new FileNotFoundException(message));
                return null;
            }
            library = in.readAllBytes();
        } catch (IOException e) {
            failed.add("bundled " + resource + " could not be read: " + e, e);
            return null;
        }

        Path file = null;
        try {
            Files.createDirectories(workDir);
            // A random name so that JVMs starting together never write or load each other's copy;
            // created 0600 so that no other user can swap the file before we load it.
            file = Files.createTempFile(workDir, "libjshm-", ".so", OWNER_READ_WRITE);
            // Files.write opens the existing file (no REPLACE_EXISTING), which keeps its mode.
            Files.write(file, library);
        } catch (IOException e) {
            failed.add("bundled " + resource + " could not be extracted to " + workDir + ": " + e, e);
            deleteExtracted(file);
            return null;
        }

        String path = file.toAbsolutePath().toString();
        try {
            linker.load(path);
            return path;
        } catch (UnsatisfiedLinkError e) {
            String hint = noexecHint(e, workDir);
            failed.add("bundled " + resource + " extracted to " + path + ": " + e
                    + (hint == null ? "" : " (" + hint + ")"), e);
            return null;
        } finally {
            // Once loaded, the mapping outlives the file; deleting now leaves nothing behind even
            // if the JVM crashes later, which deleteOnExit cannot promise.
            deleteExtracted(file);
        }
    }

    private static void deleteExtracted(Path file) {
        if (file == null) {
            return;
        }
        try {
            Files.deleteIfExists(file);
        } catch (IOException e) {
            // A leftover 0600 copy wastes a little disk; it is no reason to refuse a library
            // that loaded, nor worth hiding the real reason one did not.
            System.getLogger(NativeLibraryLoader.class.getName())
                    .log(Level.WARNING, "could not delete extracted native library " + file, e);
        }
    }

    /** The lines and errors of the attempts that failed, in order. */
    private static final class FailedAttempts {

        private final StringBuilder lines = new StringBuilder();
        private final List<Throwable> errors = new ArrayList<>();

        /** Records an attempt; {@code error} is null for one that was not made at all. */
        void add(String line, Throwable error) {
            lines.append("\n  - ").append(line);
            if (error != null) {
                errors.add(error);
            }
        }

        NativeUnavailableException toException(String heading) {
            NativeUnavailableException exception = new NativeUnavailableException(heading + lines);
            errors.forEach(exception::addSuppressed);
            return exception;
        }
    }
}
