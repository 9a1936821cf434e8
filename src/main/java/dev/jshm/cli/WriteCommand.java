package dev.jshm.cli;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
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
        header = "Writes text, hex bytes or a file's bytes into a segment.",
        description = {
            "Writes into the segment at --offset, from exactly one of these: TEXT, as UTF-8 followed by a NUL"
                    + " byte as C's sprintf would; --hex \"de ad\", these bytes (pairs of hex digits that blanks,"
                    + " ':' or ',' may separate); --from-file PATH, the file's bytes as they are, or standard"
                    + " input's with '-'.",
            "The input is read whole and checked first: nothing is written unless all of it fits."
                    + " --from-file takes only a regular file (a FIFO, socket, device, directory or symbolic link"
                    + " is refused before it is opened) and at most 2 GiB. Prints nothing on success.",
        })
final class WriteCommand implements Callable<Integer> {

    private static final int CHUNK = 1 << 20;
    /** The most a write takes: the input is held in memory whole, to be checked before it is written. */
    static final int MAX_INPUT = Integer.MAX_VALUE - 8;

    @ParentCommand
    private Main main;

    @ArgGroup(exclusive = true, multiplicity = "1")
    private SegmentSelector segment;

    @Option(names = "--offset", paramLabel = "BYTES", defaultValue = "0", converter = SizeConverter.class,
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
    public Integer call() {
        // All the input is read and checked before the segment is touched: nothing is written
        // unless all of it fits.
        byte[] hexBytes = source.hex != null ? HexInput.parse(source.hex) : null;
        Path fromFile = source.fromFile == null || source.fromFile.equals("-") ? null : Path.of(source.fromFile);
        if (fromFile != null) {
            LocalFiles.requireRegular("write --from-file", fromFile);
        }
        Target target = segment.target();
        try (Segment attached = target.open(Access.READ_WRITE, "write")) {
            long room = room(target, attached);
            byte[] bytes;
            if (source.text != null) {
                if (source.text.indexOf('\0') >= 0) {
                    throw new IllegalArgumentException("write TEXT: the text contains a NUL character, where C would"
                            + " cut it; write such bytes with --hex");
                }
                bytes = (source.text + "\0").getBytes(StandardCharsets.UTF_8);
            } else if (hexBytes != null) {
                bytes = hexBytes;
            } else {
                // One byte more than fits tells "too long" without reading the rest.
                int limit = (int) Math.min(room + 1, MAX_INPUT);
                bytes = fromFile == null ? readStdin(limit) : LocalFiles.readAtMost("write --from-file", fromFile, limit);
                if (bytes.length == MAX_INPUT && room >= MAX_INPUT) {
                    throw new IllegalArgumentException("write --from-file " + source.fromFile + ": the input is more"
                            + " than the " + Sizes.human(MAX_INPUT) + " written at once; nothing was written");
                }
            }
            if (bytes.length > room) {
                // Input read up to one byte past the room is longer than that: how much longer is unknown.
                boolean partly = source.text == null && hexBytes == null;
                long known = !partly ? bytes.length : fromFile != null ? sizeOf(fromFile) : 0;
                throw new IndexOutOfBoundsException("write to " + target + ": does not fit: "
                        + (known > room ? Long.toString(known) : "more than " + room) + " bytes at offset " + offset
                        + " exceed the segment's " + attached.size() + " bytes; nothing was written");
            }
            for (int done = 0; done < bytes.length; done += CHUNK) {
                attached.write(offset + done, bytes, done, Math.min(CHUNK, bytes.length - done));
            }
        }
        return ExitStatus.OK;
    }

    /** The bytes from {@code --offset} to the end of the segment. */
    private long room(Target target, Segment attached) {
        if (offset < 0 || offset > attached.size()) {
            throw new IndexOutOfBoundsException("write to " + target + ": offset " + offset + " is outside the segment's "
                    + attached.size() + " bytes; nothing was written");
        }
        return attached.size() - offset;
    }

    /** The size a regular file reports, or 0 when it reports none (files under /proc) or cannot be asked. */
    private static long sizeOf(Path file) {
        try {
            return Files.size(file);
        } catch (IOException e) {
            return 0;
        }
    }

    private byte[] readStdin(int limit) {
        try {
            return main.stdin().readNBytes(limit);
        } catch (IOException e) {
            throw new LocalFileException("write --from-file -: reading standard input: " + FailureHandler.message(e),
                    ExitStatus.FAILURE, e);
        }
    }
}
