package dev.jshm;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.Locale;

import org.apache.commons.lang3.Strings;

/**
 * The platform this JVM runs on, named as the jar's {@code native/} directories are
 * ({@code linux-x86_64}, {@code linux-aarch64}), and whether the jar carries a library for it.
 *
 * <p>The bundled libraries are built for glibc: a JVM linked against musl (Alpine and other
 * musl-based distributions) cannot load them, whatever its architecture. Which C library the JVM
 * uses is read from the program interpreter ({@code PT_INTERP}) of its own executable,
 * {@code /proc/self/exe}: {@code /lib/ld-musl-<arch>.so.1} means musl. When that cannot be
 * read, the presence of such a loader in {@code /lib} decides.
 *
 * @param osName        {@code os.name}
 * @param osArch        {@code os.arch}
 * @param directory     the directory under {@code native/} for this platform, such as {@code linux-x86_64}
 * @param interpreter   the JVM's dynamic loader, or null if unknown
 */
record NativePlatform(String osName, String osArch, String directory, String interpreter) {

    /** The platforms this jar carries a library for (all glibc 2.17 or newer). */
    static final List<String> BUNDLED = List.of("linux-x86_64", "linux-aarch64");

    private static final int PT_INTERP = 3;
    private static final int MAX_PROGRAM_HEADERS = 256;
    private static final int MAX_INTERPRETER_LENGTH = 4096;

    /** The platform of this JVM. */
    static NativePlatform current() {
        return of(System.getProperty("os.name"), System.getProperty("os.arch"), jvmInterpreter());
    }

    /**
     * The platform named by {@code os.name}, {@code os.arch} and the JVM's dynamic loader.
     *
     * @throws NativeUnavailableException if {@code osName} is not Linux: jshm is Linux only
     */
    static NativePlatform of(String osName, String osArch, String interpreter) {
        // The test SystemUtils.IS_OS_LINUX makes, applied to a name we are given so tests can vary it.
        if (!Strings.CI.startsWith(osName, "Linux")) {
            throw new NativeUnavailableException(
                    "jshm supports Linux only (os.name=" + osName + ", os.arch=" + osArch + ")");
        }
        return new NativePlatform(osName, osArch, "linux-" + normaliseArch(osArch), interpreter);
    }

    // JVMs disagree on names for the same machine (OpenJDK says amd64, others x86_64); the
    // build names its directories after the GNU triplets.
    private static String normaliseArch(String osArch) {
        String arch = osArch.toLowerCase(Locale.ROOT);
        return switch (arch) {
            case "amd64", "x86_64" -> "x86_64";
            case "aarch64", "arm64" -> "aarch64";
            default -> arch;
        };
    }

    /** Whether the JVM uses musl rather than glibc. */
    boolean musl() {
        return interpreter != null && interpreter.contains("ld-musl");
    }

    /** Whether the jar carries a library this JVM can load. */
    boolean bundled() {
        return !musl() && BUNDLED.contains(directory);
    }

    /**
     * Why the jar has nothing for this platform and what to do, or null if it has. Names the
     * platforms it serves, {@value NativeLibraryLoader#PATH_PROPERTY} and the C sources.
     */
    String unsupportedReason() {
        if (bundled()) {
            return null;
        }
        String what = musl()
                ? directory + " with musl libc (the JVM's loader is " + interpreter + ")"
                : directory + " (os.arch=" + osArch + ")";
        return "this jar bundles libjshm.so for " + String.join(" and ", BUNDLED)
                + " with glibc 2.17 or newer only, and this JVM runs on " + what
                + (musl() ? "; run a glibc-based JVM (Debian, Ubuntu, RHEL and their images), or" : ";")
                + " build the C library from src/main/c for this platform (see README, \"Supported platforms\")"
                + " and name it with -D" + NativeLibraryLoader.PATH_PROPERTY + "=/path/to/libjshm.so";
    }

    /** The program interpreter of {@code /proc/self/exe}, else the musl loader in /lib, else null. */
    private static String jvmInterpreter() {
        try {
            String interpreter = interpreterOf(Path.of("/proc/self/exe"));
            if (interpreter != null) {
                return interpreter;
            }
        } catch (IOException | RuntimeException e) {
            // Unreadable /proc (some sandboxes): fall back to what /lib holds.
        }
        try (DirectoryStream<Path> musl = Files.newDirectoryStream(Path.of("/lib"), "ld-musl-*.so.1")) {
            for (Path loader : musl) {
                return loader.toString();
            }
        } catch (IOException | RuntimeException e) {
            // No /lib to look into: assume glibc, the common case; loading then says what failed.
        }
        return null;
    }

    /**
     * The {@code PT_INTERP} path of an ELF executable, or null if it has none.
     *
     * @throws IOException if the file cannot be read or is not a well-formed ELF file
     */
    static String interpreterOf(Path executable) throws IOException {
        try (FileChannel file = FileChannel.open(executable, StandardOpenOption.READ)) {
            ByteBuffer header = read(file, 0, 64);
            if (header.getInt(0) != 0x464c457f) {
                throw new IOException(executable + " is not an ELF file");
            }
            boolean elf64 = header.get(4) == 2;
            header.order(header.get(5) == 2 ? ByteOrder.BIG_ENDIAN : ByteOrder.LITTLE_ENDIAN);
            long programHeaders = elf64 ? header.getLong(0x20) : Integer.toUnsignedLong(header.getInt(0x1c));
            int entrySize = Short.toUnsignedInt(header.getShort(elf64 ? 0x36 : 0x2a));
            int count = Short.toUnsignedInt(header.getShort(elf64 ? 0x38 : 0x2c));
            if (count > MAX_PROGRAM_HEADERS || entrySize < (elf64 ? 0x38 : 0x20)) {
                throw new IOException(executable + ": implausible program headers (" + count + " of " + entrySize + " bytes)");
            }
            for (int i = 0; i < count; i++) {
                ByteBuffer entry = read(file, programHeaders + (long) i * entrySize, entrySize).order(header.order());
                if (entry.getInt(0) != PT_INTERP) {
                    continue;
                }
                long offset = elf64 ? entry.getLong(0x08) : Integer.toUnsignedLong(entry.getInt(0x04));
                long length = elf64 ? entry.getLong(0x20) : Integer.toUnsignedLong(entry.getInt(0x10));
                if (length <= 0 || length > MAX_INTERPRETER_LENGTH) {
                    throw new IOException(executable + ": implausible interpreter length " + length);
                }
                ByteBuffer path = read(file, offset, (int) length);
                // Stored NUL-terminated.
                int end = 0;
                while (end < path.limit() && path.get(end) != 0) {
                    end++;
                }
                return new String(path.array(), 0, end, StandardCharsets.US_ASCII);
            }
            return null;
        }
    }

    private static ByteBuffer read(FileChannel file, long position, int length) throws IOException {
        if (position < 0) {
            throw new IOException("offset " + position + " outside the file");
        }
        ByteBuffer buffer = ByteBuffer.allocate(length);
        while (buffer.hasRemaining()) {
            if (file.read(buffer, position + buffer.position()) < 0) {
                throw new IOException("truncated ELF file: " + length + " bytes at " + position + " past its end");
            }
        }
        return buffer.order(ByteOrder.LITTLE_ENDIAN);
    }
}
