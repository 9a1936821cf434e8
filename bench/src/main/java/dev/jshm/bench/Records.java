package dev.jshm.bench;

import java.io.PrintStream;
import java.util.Locale;

/**
 * Writes measurements in the shape baseline.c prints, one JSON document:
 * {@code {"tool": .., "records": [{"group","op","param","way","unit","samples":[..]}]}}.
 * Not thread-safe.
 */
final class Records implements AutoCloseable {

    private final PrintStream out;
    private boolean first = true;

    Records(PrintStream out, String tool) {
        this.out = out;
        out.print("{\"tool\": \"" + tool + "\", \"records\": [");
    }

    void add(String group, String op, String param, String way, String unit, double[] samples) {
        StringBuilder b = new StringBuilder(first ? "\n    " : ",\n    ");
        b.append(String.format(Locale.ROOT, "{\"group\": \"%s\", \"op\": \"%s\", \"param\": \"%s\", \"way\": \"%s\", \"unit\": \"%s\", \"samples\": [",
                group, op, param, way, unit));
        for (int i = 0; i < samples.length; i++) {
            b.append(i == 0 ? "" : ", ").append(String.format(Locale.ROOT, "%.4f", samples[i]));
        }
        out.print(b.append("]}"));
        out.flush();
        first = false;
    }

    @Override
    public void close() {
        out.println("\n]}");
        out.flush();
    }
}
