package dev.jshm.cli;

import java.io.PrintStream;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;

import dev.jshm.ring.PingPong;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

/** {@code jshm pingpong}: the message ring's round trip between this process and an echo process it starts. */
@Command(name = "pingpong", mixinStandardHelpOptions = true,
        description = {
            "Starts an echo process (another JVM), exchanges messages with it over two rings in one POSIX"
                    + " object for a few seconds, and prints the round-trip percentiles (p50, p99, p99.9) and"
                    + " messages per second.",
            "Options for the run go after --: jshm pingpong -- --seconds 5 --size 256 --idle spin|yield|futex",
        })
final class PingPongCommand implements Callable<Integer> {

    @Spec
    private CommandSpec spec;

    @ParentCommand
    private Main main;

    @Parameters(paramLabel = "ARG", arity = "0..*", description = "Options for the run: --seconds N, --size BYTES, --idle spin|yield|futex.")
    private List<String> arguments = new ArrayList<>();

    @Override
    public Integer call() {
        spec.commandLine().getOut().flush();
        PrintStream out = main.stdout();
        int status = PingPong.run(arguments.toArray(new String[0]), out, System.err);
        out.flush();
        return status;
    }
}
