package dev.jshm;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The file-backed kinds share one builder for their common options and one parent; what a builder
 * hands to create or open is an immutable request, so a builder can be reused.
 */
class FileBackedBuilderTest {

    @Test
    void bothKindsShareTheParent() {
        assertTrue(FileBackedSegment.class.isSealed());
        assertArrayEquals(new Class<?>[] {PosixSegment.class, MappedFileSegment.class},
                FileBackedSegment.class.getPermittedSubclasses());
        assertArrayEquals(new Class<?>[] {SysVSegment.class, FileBackedSegment.class}, Segment.class.getPermittedSubclasses());
        assertTrue(FileBacking.Request.class.isRecord(), "the request is immutable");
    }

    @Test
    void sharedSettersKeepTheKindsBuilderType() {
        // Compiles only if the shared setters return the kind's own builder.
        PosixSegment.Builder posix = PosixSegment.builder("/x").size(1).mode(0640).openOrCreate().noReserve();
        MappedFileSegment.Builder file = MappedFileSegment.builder(Path.of("x")).size(1).populate().offset(0).reserve();
        assertEquals(PosixSegment.Builder.class, posix.getClass());
        assertEquals(MappedFileSegment.Builder.class, file.getClass());
    }

    @Test
    void badOptionsFailAtTheSetter() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> PosixSegment.builder("/x").mode(01000));
        assertTrue(e.getMessage().contains("mode(01000) for /x"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> MappedFileSegment.builder(Path.of("f")).mode(04600));
        assertTrue(e.getMessage().contains("for f"), e.getMessage());
        assertThrows(NullPointerException.class, () -> PosixSegment.builder("/x").access(null));
        assertThrows(IllegalArgumentException.class, () -> MappedFileSegment.builder(Path.of("")));
    }

    @Test
    void aBuilderIsReusedAfterCreate() {
        PosixSegment.Builder builder = PosixSegment.builder(TestShm.uniqueName()).size(4096);
        try (PosixSegment created = builder.create()) {
            try {
                builder.access(Access.READ_ONLY).size(1024);
                try (PosixSegment opened = builder.open()) {
                    assertTrue(opened.isReadOnly());
                    assertEquals(1024, opened.size());
                    assertFalse(created.isReadOnly(), "the first segment kept its own request");
                    assertEquals(4096, created.size());
                    assertFalse(opened.createdHere());
                }
            } finally {
                created.unlink();
            }
        }
    }

    @Test
    void theFileBuilderKeepsItsOwnOptions(@TempDir Path dir) {
        Path file = dir.resolve("f.bin");
        MappedFileSegment.Builder builder = MappedFileSegment.builder(file).size(8192).reserve();
        try (MappedFileSegment created = builder.create()) {
            created.putLong(4096, 42);
            try (MappedFileSegment window = builder.size(4096).offset(4096).privateMapping().open()) {
                // A request shared with the builder would move the first segment too.
                assertEquals(0, created.fileOffset());
                assertFalse(created.isPrivate());
                assertEquals(4096, window.fileOffset());
                assertTrue(window.isPrivate());
                assertEquals(4096, window.size());
                assertEquals(42, window.getLong(0));
                assertTrue(window.truncatable());
                assertTrue(window instanceof FileBackedSegment);
            }
        }
    }
}
