package dev.jshm.cli;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Map;
import java.util.concurrent.Callable;

import dev.jshm.Access;
import dev.jshm.Segment;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;

/** {@code jshm read}: a segment's bytes as text, a hex dump or as they are. */
@Command(name = "read", mixinStandardHelpOptions = true,
        description = {
            "Reads the segment from --offset, attached read-only, in one of three forms:",
            "  --text  the UTF-8 string there, up to its NUL byte (or --length bytes), and a newline;",
            "  --hex   a hex dump like xxd's of --length bytes (default: to the end of the segment);",
            "  --raw   the bytes as they are, --length of them (default: to the end).",
            "The default is --text on standard output and --raw with --to-file, which saves the bytes to"
                    + " a file (replacing it; a symbolic link is refused).",
            "",
            "--json prints {offset, length, text} for --text, {offset, length, hex} otherwise.",
        })
final class ReadCommand implements Callable<Integer> {

    /** Dumps and copies go in pieces of this size (a multiple of a dump line). */
    private static final int CHUNK = 64 << 10;

    @ParentCommand
    private Main main;

    @ArgGroup(exclusive = true, multiplicity = "1")
    private SegmentSelector segment;

    @Option(names = "--offset", paramLabel = "BYTES", defaultValue = "0",
            description = "Where to start (default: ${DEFAULT-VALUE}).")
    private long offset;

    @Option(names = "--length", paramLabel = "BYTES",
            description = "How many bytes; they must lie inside the segment (default: see above).")
    private Long length;

    @ArgGroup(exclusive = true)
    private Format format;

    /** At most one of the forms. */
    static final class Format {
        @Option(names = "--text", required = true, description = "A string, up to its NUL byte.")
        private boolean text;

        @Option(names = "--hex", required = true, description = "A hex dump like xxd's.")
        private boolean hex;

        @Option(names = "--raw", required = true, description = "The bytes as they are.")
        private boolean raw;
    }

    @Option(names = "--to-file", paramLabel = "PATH", description = "Write to this file instead of standard output.")
    private Path toFile;

    @Option(names = "--json", description = "Print JSON (see above).")
    private boolean json;

    @Override
    public Integer call() throws IOException {
        boolean text = format == null ? toFile == null : format.text;
        boolean hex = format != null && format.hex;
        if (text && length != null && length > Integer.MAX_VALUE) {
            throw new IllegalArgumentException("--length " + length + ": a string is at most " + Integer.MAX_VALUE + " bytes");
        }
        try (Segment attached = segment.target().open(Access.READ_ONLY)) {
            OutputStream out = toFile == null ? main.stdout() : Files.newOutputStream(toFile, LinkOption.NOFOLLOW_LINKS,
                    StandardOpenOption.CREATE, StandardOpenOption.TRUNCATE_EXISTING, StandardOpenOption.WRITE);
            try {
                if (text) {
                    writeText(attached, out);
                } else {
                    writeBytes(attached, hex, out);
                }
                out.flush();
            } finally {
                if (toFile != null) {
                    out.close();
                }
            }
        }
        return ExitStatus.OK;
    }

    private void writeText(Segment attached, OutputStream out) throws IOException {
        String string = length == null ? attached.getString(offset) : attached.getString(offset, (int) (long) length);
        if (json) {
            Map<String, Object> o = Json.object();
            o.put("offset", offset);
            o.put("length", string.getBytes(StandardCharsets.UTF_8).length);
            o.put("text", string);
            string = Json.pretty(o);
        }
        out.write((string + "\n").getBytes(StandardCharsets.UTF_8));
    }

    private void writeBytes(Segment attached, boolean hex, OutputStream out) throws IOException {
        long size = attached.size();
        long n = length != null ? length : size - offset;
        // Checked whole before anything is written: a range past the end fails with no output.
        if (offset < 0 || offset > size || n < 0 || n > size - offset) {
            throw new IndexOutOfBoundsException("read(offset=" + offset + ", length=" + n + ") of " + attached
                    + ": outside the segment: offset=" + offset + " length=" + n + " size=" + size);
        }
        if (json) {
            if (n > Integer.MAX_VALUE - 8) {
                throw new IllegalArgumentException("--json holds at most 2 GiB of bytes: give a smaller --length");
            }
            byte[] all = new byte[(int) n];
            attached.read(offset, all);
            Map<String, Object> o = Json.object();
            o.put("offset", offset);
            o.put("length", n);
            o.put("hex", HexDump.plain(all));
            out.write((Json.pretty(o) + "\n").getBytes(StandardCharsets.UTF_8));
        } else {
            copy(attached, n, hex, out);
        }
    }

    private void copy(Segment from, long n, boolean hex, OutputStream out) throws IOException {
        byte[] buffer = new byte[(int) Math.min(CHUNK, Math.max(n, 1))];
        for (long done = 0; done < n; ) {
            int step = (int) Math.min(buffer.length, n - done);
            from.read(offset + done, buffer, 0, step);
            if (hex) {
                out.write(HexDump.lines(buffer, 0, step, offset + done).getBytes(StandardCharsets.US_ASCII));
            } else {
                out.write(buffer, 0, step);
            }
            done += step;
        }
    }
}
