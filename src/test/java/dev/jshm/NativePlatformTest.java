package dev.jshm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** How the loader tells glibc from musl: the program interpreter of the JVM's executable. */
class NativePlatformTest {

    private static final int PT_LOAD = 1;
    private static final int PT_INTERP = 3;

    @TempDir
    Path dir;

    @Test
    void thisJvmsInterpreterIsGlibcs() throws IOException {
        String interpreter = NativePlatform.interpreterOf(Path.of("/proc/self/exe"));
        assertTrue(interpreter != null && interpreter.matches("/lib(64)?/ld-linux-[a-z0-9_-]+\\.so\\.[0-9]"), interpreter);
    }

    /** Another machine's executable reads the same way (the arm64 JVM, where installed). */
    @Test
    void anAarch64ExecutableNamesItsLoader() throws IOException {
        Path arm = Path.of("/usr/lib/jvm/java-17-openjdk-arm64/bin/java");
        assumeTrue(Files.isRegularFile(arm), "no arm64 JVM installed at " + arm);
        assertEquals("/lib/ld-linux-aarch64.so.1", NativePlatform.interpreterOf(arm));
    }

    @Test
    void readsAMuslInterpreterFrom64BitLittleEndian() throws IOException {
        Path exe = write(elf(true, ByteOrder.LITTLE_ENDIAN, "/lib/ld-musl-x86_64.so.1"));
        String interpreter = NativePlatform.interpreterOf(exe);
        assertEquals("/lib/ld-musl-x86_64.so.1", interpreter);
        assertTrue(NativePlatform.of("Linux", "amd64", interpreter).musl());
    }

    @Test
    void readsA32BitBigEndianExecutable() throws IOException {
        Path exe = write(elf(false, ByteOrder.BIG_ENDIAN, "/lib/ld.so.1"));
        assertEquals("/lib/ld.so.1", NativePlatform.interpreterOf(exe));
    }

    @Test
    void aStaticExecutableHasNoInterpreter() throws IOException {
        Path exe = write(elf(true, ByteOrder.LITTLE_ENDIAN, null));
        assertNull(NativePlatform.interpreterOf(exe));
    }

    @Test
    void malformedFilesAreRefusedNotTrusted() throws IOException {
        IOException notElf = assertThrows(IOException.class,
                () -> NativePlatform.interpreterOf(write("#!/bin/sh\nexec java \"$@\"\n".repeat(8).getBytes(StandardCharsets.US_ASCII))));
        assertTrue(notElf.getMessage().contains("not an ELF file"), notElf.getMessage());

        byte[] good = elf(true, ByteOrder.LITTLE_ENDIAN, "/lib/ld-musl-x86_64.so.1");
        byte[] truncated = Arrays.copyOf(good, 64 + 56 + 20);
        IOException cut = assertThrows(IOException.class, () -> NativePlatform.interpreterOf(write(truncated)));
        assertTrue(cut.getMessage().contains("truncated ELF file"), cut.getMessage());

        byte[] tooMany = good.clone();
        ByteBuffer.wrap(tooMany).order(ByteOrder.LITTLE_ENDIAN).putShort(0x38, (short) 60000);
        IOException many = assertThrows(IOException.class, () -> NativePlatform.interpreterOf(write(tooMany)));
        assertTrue(many.getMessage().contains("implausible program headers"), many.getMessage());

        byte[] hugeInterp = good.clone();
        ByteBuffer.wrap(hugeInterp).order(ByteOrder.LITTLE_ENDIAN).putLong(64 + 56 + 0x20, Long.MAX_VALUE);
        IOException huge = assertThrows(IOException.class, () -> NativePlatform.interpreterOf(write(hugeInterp)));
        assertTrue(huge.getMessage().contains("implausible interpreter length"), huge.getMessage());

        byte[] negativeOffset = good.clone();
        ByteBuffer.wrap(negativeOffset).order(ByteOrder.LITTLE_ENDIAN).putLong(64 + 56 + 0x08, -8);
        assertThrows(IOException.class, () -> NativePlatform.interpreterOf(write(negativeOffset)));
    }

    private Path write(byte[] bytes) throws IOException {
        return Files.write(Files.createTempFile(dir, "exe", ""), bytes);
    }

    /** A minimal ELF executable: header, a PT_LOAD, then a PT_INTERP (unless null) and its string. */
    private static byte[] elf(boolean elf64, ByteOrder order, String interpreter) {
        int headerSize = elf64 ? 64 : 52;
        int entrySize = elf64 ? 56 : 32;
        int entries = interpreter == null ? 1 : 2;
        int stringOffset = headerSize + entries * entrySize;
        byte[] path = interpreter == null ? new byte[0] : (interpreter + "\0").getBytes(StandardCharsets.US_ASCII);
        ByteBuffer b = ByteBuffer.allocate(stringOffset + path.length).order(order);
        b.put(0, new byte[] {0x7f, 'E', 'L', 'F'});
        b.put(4, (byte) (elf64 ? 2 : 1)).put(5, (byte) (order == ByteOrder.BIG_ENDIAN ? 2 : 1)).put(6, (byte) 1);
        b.putShort(16, (short) 2);
        if (elf64) {
            b.putLong(0x20, headerSize).putShort(0x36, (short) entrySize).putShort(0x38, (short) entries);
        } else {
            b.putInt(0x1c, headerSize).putShort(0x2a, (short) entrySize).putShort(0x2c, (short) entries);
        }
        b.putInt(headerSize, PT_LOAD);
        if (interpreter != null) {
            int entry = headerSize + entrySize;
            b.putInt(entry, PT_INTERP);
            if (elf64) {
                b.putLong(entry + 0x08, stringOffset).putLong(entry + 0x20, path.length);
            } else {
                b.putInt(entry + 0x04, stringOffset).putInt(entry + 0x10, path.length);
            }
            b.put(stringOffset, path);
        }
        return b.array();
    }
}
