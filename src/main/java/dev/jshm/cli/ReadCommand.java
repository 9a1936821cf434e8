package dev.jshm.cli;

import java.util.concurrent.Callable;

import dev.jshm.Access;
import dev.jshm.Segment;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code jshm read}: the C string at an offset, as a line. */
@Command(name = "read", mixinStandardHelpOptions = true,
        description = "Prints the UTF-8 string at the offset, up to its NUL byte (or --length bytes),"
                + " and a newline. Attaches read-only.")
final class ReadCommand implements Callable<Integer> {

    @Spec
    private CommandSpec spec;

    @ArgGroup(exclusive = true, multiplicity = "1")
    private SegmentSelector segment;

    @Option(names = "--offset", paramLabel = "BYTES", defaultValue = "0",
            description = "Where the string starts (default: ${DEFAULT-VALUE}).")
    private long offset;

    @Option(names = "--length", paramLabel = "BYTES",
            description = "Read at most this many bytes; they must lie inside the segment"
                    + " (default: up to the NUL or the end of the segment).")
    private Integer length;

    @Override
    public Integer call() {
        String text;
        try (Segment attached = segment.open(Access.READ_ONLY)) {
            text = length == null ? attached.getString(offset) : attached.getString(offset, length);
        }
        spec.commandLine().getOut().println(text);
        return ExitStatus.OK;
    }
}
