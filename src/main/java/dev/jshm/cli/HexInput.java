package dev.jshm.cli;

import java.io.ByteArrayOutputStream;
import java.util.regex.Pattern;

/**
 * Bytes written as hex on the command line: {@code "de ad be ef"}, {@code deadbeef},
 * {@code de:ad:be:ef}, {@code 0xde,0xad}. Blanks, colons and commas separate groups; a group
 * may start with {@code 0x} and holds an even number of hex digits.
 */
final class HexInput {

    private static final Pattern SEPARATORS = Pattern.compile("[\\s:,]+");
    private static final Pattern GROUP = Pattern.compile("(0[xX])?([0-9a-fA-F]{2})+");

    private HexInput() {
    }

    /**
     * The bytes of {@code text}.
     *
     * @throws IllegalArgumentException naming the group that is not hex, or if there are no bytes
     */
    static byte[] parse(String text) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        for (String group : SEPARATORS.split(text.strip())) {
            if (group.isEmpty()) {
                continue;
            }
            if (!GROUP.matcher(group).matches()) {
                throw new IllegalArgumentException("--hex \"" + text + "\": '" + group + "' is not hex bytes"
                        + " (write pairs of hex digits, such as \"de ad be ef\" or deadbeef)");
            }
            String digits = group.startsWith("0x") || group.startsWith("0X") ? group.substring(2) : group;
            for (int i = 0; i < digits.length(); i += 2) {
                bytes.write(Integer.parseInt(digits, i, i + 2, 16));
            }
        }
        if (bytes.size() == 0) {
            throw new IllegalArgumentException("--hex \"" + text + "\": no bytes to write");
        }
        return bytes.toByteArray();
    }
}
