package dev.jshm.cli;

import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * A text table for people: a header row and aligned columns, two spaces apart; columns marked
 * numeric are aligned right. The last column is not padded, so lines carry no trailing blanks.
 */
final class Table {

    private final String[] headers;
    private final boolean[] rightAligned;
    private final List<String[]> rows = new ArrayList<>();

    /** Headers; a header that starts with {@code >} names a right-aligned column (the {@code >} is not shown). */
    Table(String... headers) {
        this.headers = new String[headers.length];
        this.rightAligned = new boolean[headers.length];
        for (int i = 0; i < headers.length; i++) {
            rightAligned[i] = headers[i].startsWith(">");
            this.headers[i] = rightAligned[i] ? headers[i].substring(1) : headers[i];
        }
    }

    /** Adds a row; it has one cell per header. */
    Table row(String... cells) {
        if (cells.length != headers.length) {
            throw new IllegalArgumentException("row of " + cells.length + " cells for " + headers.length + " columns: "
                    + Arrays.toString(cells));
        }
        rows.add(cells.clone());
        return this;
    }

    boolean isEmpty() {
        return rows.isEmpty();
    }

    void print(PrintWriter out) {
        int[] width = new int[headers.length];
        for (int i = 0; i < headers.length; i++) {
            width[i] = headers[i].length();
            for (String[] row : rows) {
                width[i] = Math.max(width[i], row[i].length());
            }
        }
        line(headers, width, out);
        for (String[] row : rows) {
            line(row, width, out);
        }
    }

    private void line(String[] cells, int[] width, PrintWriter out) {
        StringBuilder line = new StringBuilder();
        for (int i = 0; i < cells.length; i++) {
            if (i > 0) {
                line.append("  ");
            }
            String pad = " ".repeat(width[i] - cells[i].length());
            if (rightAligned[i]) {
                line.append(pad).append(cells[i]);
            } else {
                line.append(cells[i]);
                if (i < cells.length - 1) {
                    line.append(pad);
                }
            }
        }
        out.println(line.toString().stripTrailing());
    }
}
