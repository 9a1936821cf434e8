package dev.jshm.cli;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
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
        header = "Reads a segment's bytes as text, as a hex dump or as they are.",
        description = {
            "Reads the segment from --offset, attached read-only, in one of three forms: --text, the UTF-8"
                    + " string there up to its NUL byte (or --length bytes) and a newline; --hex, a hex dump like"
                    + " xxd's of --length bytes (default: to the end of the segment); --raw, the bytes as they"
                    + " are, --length of them (default: to the end).",
            "The default is --text on standard output and --raw with --to-file, which saves the bytes to"
                    + " a file (replacing it). --to-file takes a regular file or a new one: a FIFO, socket,"
                    + " device, directory or symbolic link is refused before anything is opened; a file system"
                    + " that runs out of room (ENOSPC, EFBIG) ends the command with status 6 and the partial file"
                    + " is removed.",
            "",
            "--json prints {offset, length, text} for --text, {offset, length, hex} otherwise.",
        })
final class ReadCommand implements Callable<Integer> {

    /** Dumps and copies go in pieces of this size (a multiple of a dump line). */
    private static final int CHUNK = 64 << 10;
    private static final String TO_FILE = "read --to-file";

    @ParentCommand
    private Main main;

    @ArgGroup(exclusive = true, multiplicity = "1")
    private SegmentSelector segment;

    @Option(names = "--offset", paramLabel = "BYTES", defaultValue = "0", converter = SizeConverter.class,
            description = "Where to start (default: ${DEFAULT-VALUE}).")
    private long offset;

    @Option(names = "--length", paramLabel = "BYTES", converter = SizeConverter.class,
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
        if (toFile != null) {
            // Refused by type before the segment is touched; a FIFO is never opened (its open would block).
            LocalFiles.requireRegularOrAbsent(TO_FILE, toFile);
        }
        Target target = segment.target();
        try (Segment attached = target.open(Access.READ_ONLY, "read")) {
            if (!text) {
                checkRange(target, attached);
            }
            OutputStream out = toFile == null ? main.stdout() : LocalFiles.create(TO_FILE, toFile);
            try {
                if (text) {
                    writeText(attached, out);
                } else {
                    writeBytes(attached, hex, out);
                }
                out.flush();
            } catch (IOException e) {
                if (toFile == null) {
                    throw e;
                }
                // No half-written copy is left to pass for the segment's bytes.
                closeQuietly(out);
                LocalFileException failure = LocalFiles.failure(TO_FILE, toFile, e);
                try {
                    Files.deleteIfExists(toFile);
                } catch (IOException suppressed) {
                    failure.addSuppressed(suppressed);
                }
                throw failure;
            } finally {
                if (toFile != null) {
                    closeQuietly(out);
                }
            }
        }
        return ExitStatus.OK;
    }

    private static void closeQuietly(OutputStream out) {
        try {
            out.close();
        } catch (IOException e) {
            // The failure of the write itself, if any, is what the user hears about.
        }
    }

    /** Checked whole before anything is written: a range past the end fails with no output. */
    private void checkRange(Target target, Segment attached) {
        long size = attached.size();
        if (offset < 0 || offset > size) {
            throw new IndexOutOfBoundsException("read from " + target + ": offset " + offset + " is outside the segment's "
                    + size + " bytes");
        }
        if (length != null && (length < 0 || length > size - offset)) {
            throw new IndexOutOfBoundsException("read from " + target + ": does not fit: " + length + " bytes at offset "
                    + offset + " exceed the segment's " + size + " bytes");
        }
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
