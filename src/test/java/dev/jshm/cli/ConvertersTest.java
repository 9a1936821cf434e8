package dev.jshm.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

import picocli.CommandLine.TypeConversionException;

/** The text forms of keys and modes that the tool takes, and those it refuses. */
class ConvertersTest {

    @ParameterizedTest
    @CsvSource({
        "0, 0",
        "5678, 5678",
        "0x162e, 5678",
        "0X162E, 5678",
        "0x0000162e, 5678",
        "2147483647, 2147483647",
        "2147483648, -2147483648",
        "4294967295, -1",
        "0xffffffff, -1",
        "0x80000000, -2147483648",
        "-1, -1",
        "-2147483648, -2147483648",
    })
    void keysAreAnyThirtyTwoBitValue(String text, int key) {
        assertEquals(key, new KeyConverter().convert(text));
    }

    @ParameterizedTest
    @ValueSource(strings = {"", " 1", "1 ", "0x", "0xZZ", "banana", "0x-1", "0x+1", "+1", "1.5", "1e3",
        "4294967296", "0x100000000", "-2147483649", "99999999999999999999", "0x1ffffffffffffffffff",
        "\uff11\uff12"})
    void everythingElseIsRefusedNamingTheText(String text) {
        TypeConversionException e = assertThrows(TypeConversionException.class, () -> new KeyConverter().convert(text));
        assertTrue(e.getMessage().startsWith("'" + text + "' is not a 32-bit key: use decimal"), e.getMessage());
    }

    @ParameterizedTest
    @CsvSource({"600, 384", "0600, 384", "666, 438", "0, 0", "777, 511", "1777, 1023"})
    void modesAreOctal(String text, int mode) {
        assertEquals(mode, new ModeConverter().convert(text));
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "8", "999", "0x1ff", "-600", "rw-------", "60 0", "77777777777"})
    void nonOctalModesAreRefused(String text) {
        TypeConversionException e = assertThrows(TypeConversionException.class, () -> new ModeConverter().convert(text));
        assertTrue(e.getMessage().startsWith("'" + text + "' is not an octal mode"), e.getMessage());
    }
}
