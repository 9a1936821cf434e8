package dev.jshm.cli;

import java.util.concurrent.Callable;

import dev.jshm.Access;
import dev.jshm.Segment;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code jshm write}: a C string into a segment; quiet on success. */
@Command(name = "write", mixinStandardHelpOptions = true,
        description = "Writes TEXT into the segment as UTF-8 followed by a NUL byte, as C's sprintf would."
                + " Prints nothing on success.")
final class WriteCommand implements Callable<Integer> {

    @ArgGroup(exclusive = true, multiplicity = "1")
    private SegmentSelector segment;

    @Option(names = "--offset", paramLabel = "BYTES", defaultValue = "0",
            description = "Where the text starts (default: ${DEFAULT-VALUE}).")
    private long offset;

    @Parameters(index = "0", paramLabel = "TEXT", description = "The text; it must fit with its NUL byte.")
    private String text;

    @Override
    public Integer call() {
        try (Segment attached = segment.open(Access.READ_WRITE)) {
            attached.putString(offset, text);
        }
        return ExitStatus.OK;
    }
}
