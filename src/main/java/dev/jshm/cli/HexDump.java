package dev.jshm.cli;

import java.util.HexFormat;

/**
 * Bytes as {@code xxd} shows them: 16 to a line, the offset in 8 hex digits, two-byte groups,
 * and the printable ASCII beside them ({@code .} for anything else).
 *
 * <pre>
 * 00000000: 6865 6c6c 6f00 00de adbe ef61 6263 6465  hello......abcde
 * </pre>
 */
final class HexDump {

    static final int BYTES_PER_LINE = 16;
    private static final int HEX_WIDTH = BYTES_PER_LINE * 2 + BYTES_PER_LINE / 2 - 1;

    private HexDump() {
    }

    /**
     * The lines of {@code length} bytes of {@code bytes} from {@code from}, each ending in a newline;
     * offsets are shown counting from {@code displayOffset} (the bytes' place in the segment).
     */
    static String lines(byte[] bytes, int from, int length, long displayOffset) {
        StringBuilder out = new StringBuilder();
        for (int line = 0; line < length; line += BYTES_PER_LINE) {
            int n = Math.min(BYTES_PER_LINE, length - line);
            out.append(String.format("%08x: ", displayOffset + line));
            StringBuilder hex = new StringBuilder(HEX_WIDTH);
            StringBuilder text = new StringBuilder(n);
            for (int i = 0; i < n; i++) {
                int b = bytes[from + line + i] & 0xff;
                if (i > 0 && i % 2 == 0) {
                    hex.append(' ');
                }
                hex.append(Character.forDigit(b >> 4, 16)).append(Character.forDigit(b & 0xf, 16));
                text.append(b >= 0x20 && b < 0x7f ? (char) b : '.');
            }
            out.append(hex).append(" ".repeat(HEX_WIDTH - hex.length())).append("  ").append(text).append('\n');
        }
        return out.toString();
    }

    /** All of {@code bytes} as dump lines, offsets from {@code displayOffset}. */
    static String lines(byte[] bytes, long displayOffset) {
        return lines(bytes, 0, bytes.length, displayOffset);
    }

    /** {@code bytes} as plain lowercase hex without separators, for JSON. */
    static String plain(byte[] bytes) {
        return HexFormat.of().formatHex(bytes);
    }
}
