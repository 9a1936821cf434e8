package dev.jshm.cli;

import java.util.regex.Pattern;

import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.TypeConversionException;

/** A byte value: decimal {@code 0}..{@code 255} or hex {@code 0x00}..{@code 0xff}. */
final class ByteConverter implements ITypeConverter<Integer> {

    private static final Pattern HEX = Pattern.compile("0[xX][0-9a-fA-F]{1,2}");
    private static final Pattern DECIMAL = Pattern.compile("[0-9]{1,3}");

    @Override
    public Integer convert(String text) {
        int value = -1;
        if (HEX.matcher(text).matches()) {
            value = Integer.parseInt(text.substring(2), 16);
        } else if (DECIMAL.matcher(text).matches()) {
            value = Integer.parseInt(text);
        }
        if (value < 0 || value > 255) {
            throw new TypeConversionException("'" + text + "' is not a byte: use 0-255 or 0x00-0xff");
        }
        return value;
    }
}
