package dev.jshm;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@link Segment#truncatable()}: false only for System V, whose size no process can change. */
class TruncatableTest {

    @Test
    void sysVIsNot() {
        try (SysVSegment s = SysVSegment.createPrivate(4096)) {
            s.remove();
            assertFalse(s.truncatable());
            s.close();
            assertFalse(s.truncatable(), "allowed after close");
        }
    }

    @Test
    void posixIs() {
        String name = TestShm.uniqueName();
        try (PosixSegment s = PosixSegment.create(name, 4096)) {
            s.unlink();
            assertTrue(s.truncatable());
        }
    }

    @Test
    void aMappedFileIs(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("t.bin");
        try (MappedFileSegment s = MappedFileSegment.create(file, 4096)) {
            assertTrue(s.truncatable());
        }
        Files.deleteIfExists(file);
    }
}
