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
 * The {@code jshm} command: System V segments, POSIX shared memory objects and mapped files from
 * the shell, through the public jshm API and nothing else. Text crosses standard input and output
 * as UTF-8, as it lies in the segment.
 */
@Command(name = "jshm",
        mixinStandardHelpOptions = true,
        versionProvider = VersionProvider.class,
        synopsisSubcommandLabel = "COMMAND",
        description = {
            "Creates, reads, writes, inspects and removes Linux shared memory: System V segments"
                    + " (--key, --id), POSIX shared memory objects (--name) and mapped files (--file).",
            "Commands that print data take --json for scripts; see each command's --help for its shape.",
        },
        subcommands = {
            ListCommand.class,
            StatCommand.class,
            CreateCommand.class,
            WriteCommand.class,
            ReadCommand.class,
            RemoveCommand.class,
            ReapCommand.class,
            WatchCommand.class,
            DoctorCommand.class,
            DemoCommand.class,
            BenchCommand.class,
            PingPongCommand.class,
            CompletionCommand.class,
            HelpCommand.class,
        },
        exitCodeListHeading = "%nExit status:%n",
        exitCodeList = {
            ExitStatus.OK + ":success",
            ExitStatus.FAILURE + ":any other failure (also: the native library could not be loaded; a declined"
                    + " rm --all question)",
            ExitStatus.USAGE + ":bad usage or input: an unknown option, a malformed key, mode, size or name, an"
                    + " offset outside the segment, a FIFO, device, socket or directory where a regular file was"
                    + " expected, an argument the kernel refused (EINVAL)",
            ExitStatus.NOT_FOUND + ":no such segment, object or file (ENOENT, EIDRM)",
            ExitStatus.PERMISSION + ":permission denied (EACCES, EPERM; also a symbolic link where a file was expected)",
            ExitStatus.EXISTS + ":the segment already exists (EEXIST)",
            ExitStatus.LIMIT + ":a system limit was reached (ENOMEM, ENOSPC, EFBIG, ...: see 'jshm doctor')",
            ExitStatus.REFUSED + ":refused: the segment is still attached or mapped (rm: use --force)",
        },
        footer = {
            "",
            "Segments are named by --key KEY or --id ID (System V), --name /NAME (POSIX), --file PATH"
                    + " [--file-offset N], or by locators: sysv:key=0x162e, sysv:id=5, posix:/orders,"
                    + " file:/path?offset=N&size=N. Sizes and offsets take binary units: 64K, 1M, 2G, 1MiB.",
            "Failures are one line on standard error, 'jshm: ...'; --verbose adds the stack trace.",
        })
public final class Main implements Runnable {

    /** The top command's option that adds stack traces to failures. */
    static final String VERBOSE = "--verbose";

    /** The narrowest help picocli writes. */
    static final int MIN_HELP_WIDTH = 55;

    @Spec
    private CommandSpec spec;

    @Option(names = VERBOSE, description = "Print the stack trace of a failure after its message.")
    private boolean verbose;

    private final InputStream stdin;
    private final PrintStream stdout;

    private Main(InputStream stdin, PrintStream stdout) {
        this.stdin = stdin;
        this.stdout = stdout;
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
            CommandLine commandLine = commandLine(in, out).setOut(outWriter).setErr(errWriter);
            return commandLine.execute(withoutNeedlessEndOfOptions(commandLine, args));
        } finally {
            outWriter.flush();
            errWriter.flush();
        }
    }

    /**
     * {@code args} without the {@code --} that follows a command taking no positional parameters:
     * there it cannot separate options from data, so {@code pingpong -- --seconds 3} means what
     * {@code pingpong --seconds 3} does. Where a command takes data ({@code write TEXT},
     * {@code rm LOCATOR}, {@code bench MAKE_ARG}), {@code --} keeps its meaning: the end of the options.
     */
    static String[] withoutNeedlessEndOfOptions(CommandLine commandLine, String[] args) {
        for (int i = 0; i < args.length; i++) {
            CommandLine command = commandLine.getSubcommands().get(args[i]);
            if (command == null) {
                if (args[i].startsWith("-")) {
                    continue; // an option of the top command, such as --verbose
                }
                return args;
            }
            if (!command.getCommandSpec().positionalParameters().isEmpty()) {
                return args;
            }
            for (int j = i + 1; j < args.length; j++) {
                if (args[j].equals("--")) {
                    String[] kept = new String[args.length - 1];
                    System.arraycopy(args, 0, kept, 0, j);
                    System.arraycopy(args, j + 1, kept, j, args.length - j - 1);
                    return kept;
                }
            }
            return args;
        }
        return args;
    }

    /** The configured command line; {@code stdin} is what {@code demo} reads. */
    static CommandLine commandLine(InputStream stdin) {
        return commandLine(stdin, System.out);
    }

    /** The configured command line, reading {@code stdin} and writing bytes (read --raw) to {@code stdout}. */
    static CommandLine commandLine(InputStream stdin, PrintStream stdout) {
        FailureHandler failures = new FailureHandler();
        CommandLine commandLine = new CommandLine(new Main(stdin, stdout));
        // Help wraps at the terminal's width when picocli can ask the terminal; elsewhere at
        // $COLUMNS when it is set (picocli takes 55 or more), else at 80.
        String columns = System.getenv("COLUMNS");
        if (columns != null && columns.matches("[0-9]{1,4}") && Integer.parseInt(columns) >= MIN_HELP_WIDTH) {
            commandLine.setUsageHelpWidth(Integer.parseInt(columns));
        }
        return commandLine
                // TEXT is data: "@name" must be written as it is, not replaced by the file's lines.
                .setExpandAtFiles(false)
                .setUsageHelpAutoWidth(true)
                .setExecutionExceptionHandler(failures)
                .setParameterExceptionHandler(failures);
    }

    /** Standard input, for the commands that read it. */
    InputStream stdin() {
        return stdin;
    }

    /** Standard output as bytes, for the commands that write bytes (text goes through picocli's writer). */
    PrintStream stdout() {
        return stdout;
    }

    /** Whether the top command got {@code --verbose}: failures then carry their stack trace. */
    boolean verbose() {
        return verbose;
    }

    @Override
    public void run() {
        throw new ParameterException(spec.commandLine(), "Missing required command: one of "
                + String.join(", ", spec.subcommands().keySet()));
    }
}
