package dev.jshm.cli;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The tool's JSON output (RFC 8259), written by hand so the jar needs no JSON library. Values are
 * {@code null}, {@link Boolean}, integral {@link Number}s ({@code Integer}, {@code Long},
 * {@link BigInteger}), {@link String}, {@link List} of values and {@link Map} from
 * {@code String} to values (written in the map's order: use {@link #object()}).
 *
 * <p>The shape of every command's output is part of the tool's interface (documented in each
 * command's help): fields are added, never renamed or removed. Sizes are exact byte counts,
 * times are ISO-8601 UTC strings ({@code 2026-11-27T13:20:01Z}) or null for "never".
 */
final class Json {

    private Json() {
    }

    /** A map that keeps its keys in insertion order, for an object's fields. */
    static Map<String, Object> object() {
        return new LinkedHashMap<>();
    }

    /** {@code value} as indented JSON (two spaces), no trailing newline. */
    static String pretty(Object value) {
        StringBuilder out = new StringBuilder();
        write(value, out, 0, true);
        return out.toString();
    }

    /** {@code value} as JSON on one line, for one record per line (JSON Lines). */
    static String compact(Object value) {
        StringBuilder out = new StringBuilder();
        write(value, out, 0, false);
        return out.toString();
    }

    private static void write(Object value, StringBuilder out, int depth, boolean pretty) {
        if (value == null) {
            out.append("null");
        } else if (value instanceof Boolean b) {
            out.append(b.booleanValue());
        } else if (value instanceof Integer || value instanceof Long || value instanceof Short
                || value instanceof Byte || value instanceof BigInteger) {
            out.append(value);
        } else if (value instanceof BigDecimal d) {
            out.append(d.toPlainString());
        } else if (value instanceof Number n) {
            throw new IllegalArgumentException("only integral numbers are written exactly, not " + n.getClass().getName());
        } else if (value instanceof String s) {
            string(s, out);
        } else if (value instanceof Map<?, ?> map) {
            container(map.entrySet().iterator(), '{', '}', out, depth, pretty);
        } else if (value instanceof List<?> list) {
            container(list.iterator(), '[', ']', out, depth, pretty);
        } else {
            throw new IllegalArgumentException("no JSON form for " + value.getClass().getName());
        }
    }

    private static void container(Iterator<?> items, char open, char close, StringBuilder out, int depth, boolean pretty) {
        out.append(open);
        if (!items.hasNext()) {
            out.append(close);
            return;
        }
        boolean first = true;
        while (items.hasNext()) {
            Object item = items.next();
            if (!first) {
                out.append(',');
            }
            first = false;
            if (pretty) {
                out.append('\n').append("  ".repeat(depth + 1));
            }
            if (item instanceof Map.Entry<?, ?> entry) {
                if (!(entry.getKey() instanceof String key)) {
                    throw new IllegalArgumentException("JSON object keys are strings, not " + entry.getKey());
                }
                string(key, out);
                out.append(pretty ? ": " : ":");
                write(entry.getValue(), out, depth + 1, pretty);
            } else {
                write(item, out, depth + 1, pretty);
            }
        }
        if (pretty) {
            out.append('\n').append("  ".repeat(depth));
        }
        out.append(close);
    }

    private static void string(String s, StringBuilder out) {
        out.append('"');
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '"' -> out.append("\\\"");
                case '\\' -> out.append("\\\\");
                case '\n' -> out.append("\\n");
                case '\r' -> out.append("\\r");
                case '\t' -> out.append("\\t");
                case '\b' -> out.append("\\b");
                case '\f' -> out.append("\\f");
                default -> {
                    // Control characters must be escaped; so are lone surrogates, which are not text.
                    boolean loneSurrogate = Character.isSurrogate(c) && !(Character.isHighSurrogate(c)
                            && i + 1 < s.length() && Character.isLowSurrogate(s.charAt(i + 1)));
                    boolean pairEnd = Character.isLowSurrogate(c) && i > 0 && Character.isHighSurrogate(s.charAt(i - 1));
                    if (c < 0x20 || c == 0x7f || (loneSurrogate && !pairEnd)) {
                        out.append(String.format("\\u%04x", (int) c));
                    } else {
                        out.append(c);
                    }
                }
            }
        }
        out.append('"');
    }
}
