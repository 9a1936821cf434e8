package dev.jshm.cli;

import java.io.PrintWriter;
import java.nio.file.AccessDeniedException;
import java.nio.file.DirectoryNotEmptyException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystemException;
import java.nio.file.NoSuchFileException;
import java.nio.file.NotDirectoryException;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;

import picocli.CommandLine;
import picocli.CommandLine.IExecutionExceptionHandler;
import picocli.CommandLine.IParameterExceptionHandler;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.ParseResult;
import picocli.CommandLine.UnmatchedArgumentException;

/**
 * Reports a failed command as one line on standard error, {@code jshm: <message>}, and answers
 * its {@link ExitStatus}. The stack trace follows only when the top command got {@code --verbose}.
 */
final class FailureHandler implements IExecutionExceptionHandler, IParameterExceptionHandler {

    static final String PREFIX = "jshm: ";

    @Override
    public int handleParseException(ParameterException failure, String[] args) {
        CommandLine command = failure.getCommandLine();
        // picocli starts some messages with "Error: ", which our prefix already says.
        // An unknown option is the first thing to fix: picocli checks required options before it
        // reports one, so "create --sise 1M" would otherwise say that --size is missing.
        List<String> unknown = command.getUnmatchedArguments();
        if (!(failure instanceof UnmatchedArgumentException) && !unknown.isEmpty()) {
            failure = new UnmatchedArgumentException(command, unknown);
        }
        String message = failure instanceof UnmatchedArgumentException unmatched ? unmatched(unmatched)
                : failure.getMessage().replaceFirst("^Error: ", "");
        command.getErr().println(PREFIX + message + " (see '"
                + command.getCommandSpec().qualifiedName() + " --help')");
        command.getErr().flush();
        return ExitStatus.of(failure);
    }

    /** "unknown command 'lst'; did you mean 'list'?" instead of picocli's "Unmatched argument at index 0". */
    static String unmatched(UnmatchedArgumentException failure) {
        List<String> unmatched = failure.getUnmatched();
        if (unmatched.isEmpty()) {
            return failure.getMessage();
        }
        String first = unmatched.get(0);
        CommandLine command = failure.getCommandLine();
        boolean option = first.startsWith("-");
        String what = option ? "unknown option" : !command.getSubcommands().isEmpty() ? "unknown command"
                : "unexpected argument";
        StringBuilder message = new StringBuilder(what + " '" + first + "'");
        List<String> candidates = new ArrayList<>();
        if (option) {
            command.getCommandSpec().options().forEach(o -> candidates.addAll(List.of(o.names())));
        } else {
            candidates.addAll(command.getSubcommands().keySet());
        }
        String typed = option ? first.replaceFirst("=.*", "") : first;
        List<String> suggestions = Suggestions.closest(typed, candidates);
        if (option && candidates.contains(typed)) {
            // A known option that picocli did not take as one: it came after "--", which ends the options.
            message = new StringBuilder("'" + first + "' comes after '--', which ends the options: give it before '--'");
        } else if (!suggestions.isEmpty()) {
            message.append("; did you mean ")
                    .append(suggestions.stream().map(s -> "'" + s + "'").collect(Collectors.joining(" or ")))
                    .append('?');
        } else if (!option && !command.getSubcommands().isEmpty()) {
            message.append("; the commands are ").append(String.join(", ", command.getSubcommands().keySet()));
        }
        return message.toString();
    }

    @Override
    public int handleExecutionException(Exception failure, CommandLine command, ParseResult parsed) {
        report(command.getErr(), "", failure, parsed != null && parsed.hasMatchedOption(Main.VERBOSE));
        return ExitStatus.of(failure);
    }

    /** Prints {@code jshm: <context><message>} and, if {@code verbose}, the stack trace. */
    static void report(PrintWriter err, String context, Throwable failure, boolean verbose) {
        err.println(PREFIX + context + message(failure));
        if (verbose) {
            failure.printStackTrace(err);
        }
        err.flush();
    }

    /**
     * The one-line text of a failure: its message, made whole for the JDK's file exceptions (whose
     * message is only the path) and never empty.
     */
    static String message(Throwable failure) {
        if (failure instanceof FileSystemException e) {
            String reason = e instanceof NoSuchFileException ? "no such file or directory"
                    : e instanceof AccessDeniedException ? "permission denied"
                    : e instanceof FileAlreadyExistsException ? "already exists"
                    : e instanceof NotDirectoryException ? "not a directory"
                    : e instanceof DirectoryNotEmptyException ? "directory not empty"
                    : e.getReason() != null ? e.getReason() : e.getClass().getSimpleName();
            return (e.getFile() != null ? e.getFile() + ": " : "") + reason
                    + (e.getOtherFile() != null ? " (" + e.getOtherFile() + ")" : "");
        }
        String message = failure.getMessage();
        String text = message == null || message.isBlank() ? failure.getClass().getName() : message;
        // One line, whatever the message: the library lists a failed load's attempts on lines of their own.
        return text.strip().replaceAll("\\s*\\R\\s*", " ");
    }
}
