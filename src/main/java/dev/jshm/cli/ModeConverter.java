package dev.jshm.cli;

import java.util.regex.Pattern;

import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.TypeConversionException;

/**
 * Reads permission bits as octal text, as {@code chmod} does: {@code 600}, {@code 0600},
 * {@code 666}. Which bits are allowed is the library's decision ({@code SysVSegment.Builder.mode}).
 */
final class ModeConverter implements ITypeConverter<Integer> {

    private static final Pattern OCTAL = Pattern.compile("[0-7]{1,10}");

    @Override
    public Integer convert(String text) {
        if (!OCTAL.matcher(text).matches()) {
            throw new TypeConversionException("'" + text + "' is not an octal mode such as 600, 0640 or 666");
        }
        return Integer.parseInt(text, 8);
    }

    /** The permission bits as {@code ls} shows them: {@code rw-r-----}. */
    static String symbolic(int mode) {
        StringBuilder s = new StringBuilder(9);
        for (int shift = 6; shift >= 0; shift -= 3) {
            int bits = mode >> shift;
            s.append((bits & 4) != 0 ? 'r' : '-').append((bits & 2) != 0 ? 'w' : '-').append((bits & 1) != 0 ? 'x' : '-');
        }
        return s.toString();
    }
}
