package dev.jshm;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;


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
        if (!osName.regionMatches(true, 0, "Linux", 0, "Linux".length())) {
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
        // Plain byte arrays, no ByteBuffer: this runs in every JVM before its first segment
        // access, and must not warm up (get compiled) the buffer accessors segments use.
        try (RandomAccessFile file = new RandomAccessFile(executable.toFile(), "r")) {
            byte[] header = read(file, 0, 64);
            if (header[0] != 0x7f || header[1] != 'E' || header[2] != 'L' || header[3] != 'F') {
                throw new IOException(executable + " is not an ELF file");
            }
            boolean elf64 = header[4] == 2;
            boolean bigEndian = header[5] == 2;
            long programHeaders = elf64 ? number(header, 0x20, 8, bigEndian) : number(header, 0x1c, 4, bigEndian);
            int entrySize = (int) number(header, elf64 ? 0x36 : 0x2a, 2, bigEndian);
            int count = (int) number(header, elf64 ? 0x38 : 0x2c, 2, bigEndian);
            if (count > MAX_PROGRAM_HEADERS || entrySize < (elf64 ? 0x38 : 0x20)) {
                throw new IOException(executable + ": implausible program headers (" + count + " of " + entrySize + " bytes)");
            }
            for (int i = 0; i < count; i++) {
                byte[] entry = read(file, programHeaders + (long) i * entrySize, entrySize);
                if (number(entry, 0, 4, bigEndian) != PT_INTERP) {
                    continue;
                }
                long offset = elf64 ? number(entry, 0x08, 8, bigEndian) : number(entry, 0x04, 4, bigEndian);
                long length = elf64 ? number(entry, 0x20, 8, bigEndian) : number(entry, 0x10, 4, bigEndian);
                if (length <= 0 || length > MAX_INTERPRETER_LENGTH) {
                    throw new IOException(executable + ": implausible interpreter length " + length);
                }
                byte[] path = read(file, offset, (int) length);
                // Stored NUL-terminated.
                int end = 0;
                while (end < path.length && path[end] != 0) {
                    end++;
                }
                return new String(path, 0, end, StandardCharsets.US_ASCII);
            }
            return null;
        }
    }

    /** The unsigned number of {@code width} bytes at {@code at}, in the file's byte order. */
    private static long number(byte[] bytes, int at, int width, boolean bigEndian) {
        long value = 0;
        for (int i = 0; i < width; i++) {
            int b = bytes[at + (bigEndian ? i : width - 1 - i)] & 0xff;
            value = value << 8 | b;
        }
        return value;
    }

    private static byte[] read(RandomAccessFile file, long position, int length) throws IOException {
        if (position < 0 || position > file.length() - length) {
            throw new IOException("truncated ELF file: " + length + " bytes at " + position
                    + " past its end (" + file.length() + " bytes)");
        }
        byte[] bytes = new byte[length];
        file.seek(position);
        file.readFully(bytes);
        return bytes;
    }
}
