package dev.jshm.cli;

import java.io.PrintStream;
import java.util.concurrent.Callable;

import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

/** {@code jshm pingpong}: the message ring's round trip between this process and an echo process it starts. */
@Command(name = "pingpong", mixinStandardHelpOptions = true,
        description = {
            "Starts an echo process (another JVM), exchanges messages with it over two rings in one POSIX"
                    + " object for a few seconds, and prints the round-trip percentiles (p50, p99, p99.9, max) and"
                    + " messages per second.",
            "--json prints one object: size, idle, capacity, object, echoPid, roundTrips, seconds,"
                    + " roundTripsPerSecond, messagesPerSecond and rttNanos {p50, p99, p999, max}.",
        })
final class PingPongCommand implements Callable<Integer> {

    @Spec
    private CommandSpec spec;

    @ParentCommand
    private Main main;

    @Option(names = "--seconds", paramLabel = "N", defaultValue = "5",
            description = "How long to measure, in (0, 3600] seconds (default ${DEFAULT-VALUE}); a fifth more warms up.")
    private double seconds;

    @Option(names = "--size", paramLabel = "SIZE", defaultValue = "32", converter = SizeConverter.class,
            description = "Message size, at least 8 bytes: " + Sizes.FORMS + " (default ${DEFAULT-VALUE}).")
    private long size;

    @Option(names = "--idle", paramLabel = "STRATEGY", defaultValue = "spin",
            description = "How each side waits: spin, yield or futex (default ${DEFAULT-VALUE}).")
    private String idle;

    @Option(names = "--json", description = "Print JSON (see above).")
    private boolean json;

    @Override
    public Integer call() throws Exception {
        PingPong.Options options;
        try {
            if (size > PingPong.MAX_SIZE) {
                throw new IllegalArgumentException("--size " + size + " must be in [8, " + PingPong.MAX_SIZE + "]");
            }
            options = new PingPong.Options(seconds, (int) size, idle, json);
        } catch (IllegalArgumentException e) {
            throw new ParameterException(spec.commandLine(), e.getMessage());
        }
        spec.commandLine().getOut().flush();
        PrintStream out = main.stdout();
        PingPong.measure(options, out);
        out.flush();
        return 0;
    }
}
