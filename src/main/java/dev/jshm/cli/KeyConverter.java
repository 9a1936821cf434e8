package dev.jshm.cli;

import java.util.regex.Pattern;

import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.TypeConversionException;

/**
 * Reads a System V key: decimal ({@code 5678}, {@code -1}) or hex ({@code 0x162e}), any 32-bit
 * value. Hex and unsigned decimal reach {@code 0xffffffff}; negative decimal is the same key as
 * its unsigned form ({@code -1} is {@code 0xffffffff}), as C's {@code key_t} sees it.
 */
final class KeyConverter implements ITypeConverter<Integer> {

    static final String FORMS = "decimal (5678, -1) or hex (0x162e), from -2147483648 to 4294967295 (0xffffffff)";

    // ASCII only: Long.parseLong alone would also take other scripts' digits and signs after 0x.
    private static final Pattern HEX = Pattern.compile("0[xX][0-9a-fA-F]+");
    private static final Pattern DECIMAL = Pattern.compile("-?[0-9]+");

    @Override
    public Integer convert(String text) {
        long value;
        try {
            if (HEX.matcher(text).matches()) {
                value = Long.parseLong(text.substring(2), 16);
            } else if (DECIMAL.matcher(text).matches()) {
                value = Long.parseLong(text);
            } else {
                throw notAKey(text);
            }
        } catch (NumberFormatException e) {
            throw notAKey(text);
        }
        if (value < Integer.MIN_VALUE || value > 0xffff_ffffL) {
            throw notAKey(text);
        }
        return (int) value;
    }

    private static TypeConversionException notAKey(String text) {
        return new TypeConversionException("'" + text + "' is not a 32-bit key: use " + FORMS);
    }
}
