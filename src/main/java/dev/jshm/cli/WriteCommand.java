package dev.jshm.cli;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.concurrent.Callable;

import dev.jshm.Access;
import dev.jshm.Segment;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;

/** {@code jshm write}: text, hex bytes or a file's bytes into a segment; quiet on success. */
@Command(name = "write", mixinStandardHelpOptions = true,
        description = {
            "Writes into the segment at --offset, from exactly one of:",
            "  TEXT               as UTF-8 followed by a NUL byte, as C's sprintf would;",
            "  --hex \"de ad\"      these bytes (pairs of hex digits; blanks, ':' and ',' may separate them);",
            "  --from-file PATH   the file's bytes, or standard input's with '-', as they are.",
            "Nothing is written unless all of it fits. Prints nothing on success.",
        })
final class WriteCommand implements Callable<Integer> {

    private static final int CHUNK = 1 << 20;

    @ParentCommand
    private Main main;

    @ArgGroup(exclusive = true, multiplicity = "1")
    private SegmentSelector segment;

    @Option(names = "--offset", paramLabel = "BYTES", defaultValue = "0",
            description = "Where the data starts (default: ${DEFAULT-VALUE}).")
    private long offset;

    @ArgGroup(exclusive = true, multiplicity = "1")
    private Source source;

    /** Where the bytes come from: exactly one. */
    static final class Source {
        @Parameters(index = "0", paramLabel = "TEXT", description = "Text; it must fit with its NUL byte.")
        private String text;

        @Option(names = "--hex", required = true, paramLabel = "HEX", description = "Bytes in hex, such as \"de ad be ef\".")
        private String hex;

        @Option(names = "--from-file", required = true, paramLabel = "PATH",
                description = "A file whose bytes to write, or - for standard input.")
        private String fromFile;
    }

    @Override
    public Integer call() throws IOException {
        byte[] hexBytes = source.hex != null ? HexInput.parse(source.hex) : null;
        try (Segment attached = segment.target().open(Access.READ_WRITE)) {
            if (source.text != null) {
                attached.putString(offset, source.text);
            } else if (hexBytes != null) {
                attached.write(offset, hexBytes);
            } else if (source.fromFile.equals("-")) {
                copy(main.stdin(), -1, attached);
            } else {
                Path path = Path.of(source.fromFile);
                long length = Files.size(path);
                try (InputStream in = Files.newInputStream(path, LinkOption.NOFOLLOW_LINKS)) {
                    copy(in, length, attached);
                }
            }
        }
        return ExitStatus.OK;
    }

    /**
     * Copies {@code in} to the segment at {@code offset}. A file of known length is checked
     * against the room first, then streamed; input of unknown length (a pipe) is read whole first,
     * up to the room in the segment, so that nothing is written if it does not fit.
     */
    private void copy(InputStream in, long knownLength, Segment to) throws IOException {
        if (offset < 0 || offset > to.size()) {
            to.write(offset, new byte[0]); // the library refuses it, naming offset and size
        }
        long room = to.size() - offset;
        if (knownLength > room) {
            throw new IndexOutOfBoundsException("write(offset=" + offset + ", length=" + knownLength + ") of " + to
                    + ": the file is " + knownLength + " bytes, the segment has " + room + " from the offset;"
                    + " nothing was written");
        }
        if (knownLength >= 0) {
            byte[] buffer = new byte[CHUNK];
            long done = 0;
            for (int n = in.read(buffer); n >= 0; n = in.read(buffer)) {
                // A file that grows while we copy is cut at the room; the library's check says so.
                to.write(offset + done, buffer, 0, n);
                done += n;
            }
            return;
        }
        byte[] all = in.readNBytes((int) Math.min(room + 1, Integer.MAX_VALUE - 8));
        if (all.length > room) {
            throw new IndexOutOfBoundsException("write(offset=" + offset + ") of " + to + ": the input is longer than the "
                    + room + " bytes the segment has from the offset; nothing was written");
        }
        for (int done = 0; done < all.length; done += CHUNK) {
            to.write(offset + done, all, done, Math.min(CHUNK, all.length - done));
        }
    }
}
