package dev.jshm.cli;

import java.io.InputStream;
import java.io.OutputStreamWriter;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;

import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.HelpCommand;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * The {@code jshm} command: System V shared memory from the shell, through the public jshm API
 * and nothing else. Text crosses standard input and output as UTF-8, as it lies in the segment.
 */
@Command(name = "jshm",
        mixinStandardHelpOptions = true,
        versionProvider = VersionProvider.class,
        synopsisSubcommandLabel = "COMMAND",
        description = "Creates, reads, writes, inspects and removes Linux shared memory segments.",
        subcommands = {
            DemoCommand.class,
            CreateCommand.class,
            WriteCommand.class,
            ReadCommand.class,
            StatCommand.class,
            RemoveCommand.class,
            HelpCommand.class,
        },
        footer = {
            "",
            "Exit status:",
            "  " + ExitStatus.OK + "  success",
            "  " + ExitStatus.FAILURE + "  any other failure (also: the native library could not be loaded)",
            "  " + ExitStatus.USAGE + "  bad usage or input: an unknown option, a malformed key or mode,",
            "     an offset outside the segment, an argument the kernel refused (EINVAL)",
            "  " + ExitStatus.NOT_FOUND + "  no such segment (ENOENT, EIDRM)",
            "  " + ExitStatus.PERMISSION + "  permission denied (EACCES, EPERM)",
            "  " + ExitStatus.EXISTS + "  the segment already exists (EEXIST)",
            "  " + ExitStatus.LIMIT + "  a system limit was reached (ENOMEM, ENOSPC, ...)",
        })
public final class Main implements Runnable {

    /** The top command's option that adds stack traces to failures. */
    static final String VERBOSE = "--verbose";

    @Spec
    private CommandSpec spec;

    @Option(names = VERBOSE, description = "Print the stack trace of a failure after its message.")
    private boolean verbose;

    private final InputStream stdin;

    private Main(InputStream stdin) {
        this.stdin = stdin;
    }

    /** Runs the tool and exits the JVM with its {@link ExitStatus}. */
    public static void main(String[] args) {
        System.exit(run(args, System.out, System.err, System.in));
    }

    /**
     * Runs the tool on {@code args} with the given streams, as {@link #main} does with the
     * process's, and answers the exit status; for tests and embedding. Never throws for a failed
     * command: the failure is reported on {@code err}.
     */
    public static int run(String[] args, PrintStream out, PrintStream err, InputStream in) {
        PrintWriter outWriter = new PrintWriter(new OutputStreamWriter(out, StandardCharsets.UTF_8), true);
        PrintWriter errWriter = new PrintWriter(new OutputStreamWriter(err, StandardCharsets.UTF_8), true);
        try {
            return commandLine(in).setOut(outWriter).setErr(errWriter).execute(args);
        } finally {
            outWriter.flush();
            errWriter.flush();
        }
    }

    /** The configured command line; {@code stdin} is what {@code demo} reads. */
    static CommandLine commandLine(InputStream stdin) {
        FailureHandler failures = new FailureHandler();
        return new CommandLine(new Main(stdin))
                // TEXT is data: "@name" must be written as it is, not replaced by the file's lines.
                .setExpandAtFiles(false)
                .setExecutionExceptionHandler(failures)
                .setParameterExceptionHandler(failures);
    }

    /** Standard input, for the commands that read it. */
    InputStream stdin() {
        return stdin;
    }

    @Override
    public void run() {
        throw new ParameterException(spec.commandLine(), "Missing required command: one of "
                + String.join(", ", spec.subcommands().keySet()));
    }
}
