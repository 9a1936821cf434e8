package dev.jshm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * What {@link Segment#putString} and {@link Segment#getString}'s javadoc promise about text that
 * is not valid UTF-8 on either side, on both scan paths (System V scans natively, a POSIX object
 * in Java).
 */
class SegmentStringsTest {

    @RegisterExtension
    final TestSysV.Cleanup cleanup = new TestSysV.Cleanup();

    @RegisterExtension
    static final TestShm.Objects shm = new TestShm.Objects();

    @Test
    void unpairedSurrogatesAreWrittenAsQuestionMarks() {
        forBothPaths(s -> {
            assertEquals(3, s.putString(0, "a\uD800b"));
            assertEquals("a?b", s.getString(0));
            assertEquals(0, s.getByte(3), "the NUL follows");
        });
    }

    @Test
    void bytesThatAreNotUtf8ReadAsReplacementCharacters() {
        forBothPaths(s -> {
            s.write(0, new byte[] {'a', (byte) 0xff, 'b', (byte) 0xc3, 0});
            assertEquals("a\uFFFDb\uFFFD", s.getString(0));
            assertEquals("a\uFFFDb\uFFFD", s.getString(0, 16));
        });
    }

    @Test
    void getStringWithMaxLengthNeedsTheWholeRangeEvenWhenTheNulComesFirst() {
        forBothPaths(s -> {
            s.putString(s.size() - 8, "abc");
            assertEquals("abc", s.getString(s.size() - 8, 8));
            assertThrows(IndexOutOfBoundsException.class, () -> s.getString(s.size() - 8, 9));
            assertEquals("", s.getString(s.size()), "offset == size gives an empty string");
        });
    }

    @Test
    void aNulInTheTextIsRefusedBeforeAnythingIsWritten() {
        forBothPaths(s -> {
            s.putString(0, "keep");
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> s.putString(0, "ab\0c"));
            assertEquals("keep", s.getString(0), e.getMessage());
            assertEquals("keep".getBytes(StandardCharsets.UTF_8).length, s.putString(0, "keep"));
        });
    }

    /** Its failures name putString, the call the user made, not the write it is built on. */
    @Test
    void failuresNamePutString() {
        forBothPaths(s -> {
            IndexOutOfBoundsException outside = assertThrows(IndexOutOfBoundsException.class,
                    () -> s.putString(s.size() - 4, "tail"));
            assertTrue(outside.getMessage().startsWith("putString: offset=" + (s.size() - 4) + " length=5 size=" + s.size()),
                    outside.getMessage());
        });
        String name = shm.newName();
        try (PosixSegment writer = PosixSegment.create(name, 4096); PosixSegment reader = PosixSegment.open(name, Access.READ_ONLY)) {
            try {
                ReadOnlySegmentException e = assertThrows(ReadOnlySegmentException.class, () -> reader.putString(0, "no"));
                assertTrue(e.getMessage().startsWith("putString(offset=0, length=3)"), e.getMessage());
                assertEquals(0, writer.getByte(0), "nothing written");
            } finally {
                writer.unlink();
            }
        }
    }

    private void forBothPaths(java.util.function.Consumer<Segment> check) {
        SysVSegment sysv = cleanup.add(SysVSegment.createPrivate(4096));
        check.accept(sysv);
        sysv.close();
        sysv.remove();
        String name = shm.newName();
        try (PosixSegment posix = PosixSegment.create(name, 4096)) {
            try {
                check.accept(posix);
            } finally {
                posix.unlink();
            }
        }
    }
}
