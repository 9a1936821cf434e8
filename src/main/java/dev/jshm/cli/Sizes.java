package dev.jshm.cli;

import java.math.BigInteger;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Byte counts in and out. In: {@code 4096}, {@code 64K}, {@code 1M}, {@code 2G}, {@code 1MiB},
 * {@code 1.5G} (binary units, as {@code ipcmk -M} takes them). Out: as {@code ipcs --human} shows
 * them: {@code 512B}, {@code 4K}, {@code 1.5M} (binary units, one decimal only when it is not 0).
 */
final class Sizes {

    /** What {@link #parse} takes, for help texts. */
    static final String FORMS = "bytes, or with a binary unit: 64K, 1M, 2G, 1MiB, 1.5G";

    private static final String LETTERS = "BKMGTPE";
    private static final Pattern SIZE = Pattern.compile(
            "([0-9]+)(?:\\.([0-9]+))?\\s*(?:([KMGTPEkmgtpe])(?:iB|B)?|B)?");

    private Sizes() {
    }

    /**
     * The byte count {@code text} stands for.
     *
     * @throws IllegalArgumentException naming the text and the forms it may take, for anything
     *                                  else, a fraction of a byte, or more than {@link Long#MAX_VALUE}
     */
    static long parse(String text) {
        Matcher m = SIZE.matcher(text.trim());
        if (!m.matches()) {
            throw new IllegalArgumentException("'" + text + "' is not a size: give " + FORMS);
        }
        int exponent = m.group(3) == null ? 0 : 10 * LETTERS.indexOf(Character.toUpperCase(m.group(3).charAt(0)));
        BigInteger whole = new BigInteger(m.group(1)).shiftLeft(exponent);
        if (m.group(2) != null) {
            BigInteger numerator = new BigInteger(m.group(2)).shiftLeft(exponent);
            BigInteger[] bytes = numerator.divideAndRemainder(BigInteger.TEN.pow(m.group(2).length()));
            if (bytes[1].signum() != 0) {
                throw new IllegalArgumentException("'" + text + "' is not a whole number of bytes");
            }
            whole = whole.add(bytes[0]);
        }
        if (whole.bitLength() > 63) {
            throw new IllegalArgumentException("'" + text + "' is more bytes than fit in a signed 64-bit count");
        }
        return whole.longValue();
    }

    /**
     * {@code bytes} as {@code ipcs --human} shows it: the largest binary unit that keeps the
     * number at least 1, one decimal rounded half up and left out when it is 0; exact below 1K.
     */
    static String human(long bytes) {
        if (bytes < 1024) {
            return bytes + "B";
        }
        int exponent = (63 - Long.numberOfLeadingZeros(bytes)) / 10 * 10;
        long whole = bytes >>> exponent;
        long rest = bytes - (whole << exponent);
        // As util-linux rounds: thousandths cut, then tenths half up (1.45M shows as 1.5M).
        long thousandths = (long) (rest * 1000.0 / (1L << exponent));
        long tenths = (thousandths + 50) / 100;
        if (tenths >= 10) {
            whole++;
            tenths = 0;
        }
        char unit = LETTERS.charAt(exponent / 10);
        return tenths == 0 ? String.format(Locale.ROOT, "%d%c", whole, unit)
                : String.format(Locale.ROOT, "%d.%d%c", whole, tenths, unit);
    }
}
