package dev.jshm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;

import org.junit.jupiter.api.Test;

/** The text form and the checks {@link SegmentLocator}'s javadoc promises; nothing is opened. */
class SegmentLocatorTest {

    @Test
    void aKeyIsAny32BitValueSignedOrUnsignedDecimalOrHex() {
        assertEquals(-1, SegmentLocator.parseKey("-1"));
        assertEquals(-1, SegmentLocator.parseKey("0xffffffff"), "the same key as -1");
        assertEquals(0x162e, SegmentLocator.parseKey(" 0x162e "), "blanks around it are ignored");
        assertEquals(0x162e, SegmentLocator.parseKey("0X162E"));
        assertEquals(5678, SegmentLocator.parseKey("5678"));
        assertEquals(Integer.MIN_VALUE, SegmentLocator.parseKey("-2147483648"));
        assertThrows(NumberFormatException.class, () -> SegmentLocator.parseKey("0x100000000"));
        assertThrows(NumberFormatException.class, () -> SegmentLocator.parseKey("-2147483649"));
        assertThrows(NumberFormatException.class, () -> SegmentLocator.parseKey("0xfg"));
        assertThrows(NumberFormatException.class, () -> SegmentLocator.parseKey(""));
    }

    @Test
    void parseReadsBackWhatToStringWrites() {
        for (SegmentLocator locator : List.of(SegmentLocator.sysvKey(0x162e), SegmentLocator.sysvKey(-1),
                SegmentLocator.sysvId(5), SegmentLocator.posix("/orders"),
                SegmentLocator.file(Path.of("/var/lib/app/state"), 0, 0),
                SegmentLocator.file(Path.of("/var/lib/app/state"), 4096, 65536),
                SegmentLocator.file(Path.of("/var/lib/app/state"), 0, 65536),
                SegmentLocator.file(Path.of("/var/lib/a?b"), 4096, 0))) {
            assertEquals(locator, SegmentLocator.parse(locator.toString()), locator.toString());
        }
        assertEquals("sysv:key=0x0000162e", SegmentLocator.sysvKey(0x162e).toString());
        assertEquals("file:/var/lib/app/state?offset=4096&size=65536",
                SegmentLocator.file(Path.of("/var/lib/app/state"), 4096, 65536).toString());
    }

    /** The one exception toString's javadoc names: a '?' in the path, and no query to follow it. */
    @Test
    void aPathWithAQuestionMarkAndNoOffsetOrSizeDoesNotReadBack() {
        SegmentLocator locator = SegmentLocator.file(Path.of("/var/lib/a?b"), 0, 0);
        assertEquals("file:/var/lib/a?b", locator.toString());
        assertThrows(IllegalArgumentException.class, () -> SegmentLocator.parse(locator.toString()));
    }

    @Test
    void aFileLocatorHoldsAnAbsolutePath() {
        SegmentLocator locator = SegmentLocator.file(Path.of("relative/state"), 0, 0);
        assertTrue(Path.of(locator.target()).isAbsolute(), locator.target());
    }

    @Test
    void theConstructorRefusesNullsAndNegativeOffsetsAndSizes() {
        assertThrows(NullPointerException.class, () -> new SegmentLocator(null, "/x", 0, 0));
        assertThrows(NullPointerException.class, () -> new SegmentLocator(SegmentLocator.Kind.FILE, null, 0, 0));
        assertThrows(IllegalArgumentException.class, () -> new SegmentLocator(SegmentLocator.Kind.FILE, "/x", -1, 0));
        assertThrows(IllegalArgumentException.class, () -> new SegmentLocator(SegmentLocator.Kind.FILE, "/x", 0, -1));
        assertThrows(IllegalArgumentException.class, () -> SegmentLocator.posix("or/ders"), "a POSIX name is checked");
    }

    @Test
    void parseNamesTheTextAndWhatIsWrongWithIt() {
        for (String text : List.of("orders", "shm:/orders", "sysv:7", "sysv:key=0xfg", "sysv:id=x", "posix:or/ders",
                "posix:/a/b", "file:/x?mode=1", "file:/x?offset=-1", "file:/x?size=z")) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> SegmentLocator.parse(text), text);
            assertTrue(e.getMessage().startsWith("invalid segment locator \"" + text + "\""), e.getMessage());
        }
        assertThrows(NullPointerException.class, () -> SegmentLocator.parse(null));
    }
}
