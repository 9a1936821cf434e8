package dev.jshm.cli;

import java.io.PrintWriter;
import java.nio.file.AccessDeniedException;
import java.nio.file.DirectoryNotEmptyException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystemException;
import java.nio.file.NoSuchFileException;
import java.nio.file.NotDirectoryException;

import picocli.CommandLine;
import picocli.CommandLine.IExecutionExceptionHandler;
import picocli.CommandLine.IParameterExceptionHandler;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.ParseResult;

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
        String message = failure.getMessage().replaceFirst("^Error: ", "");
        command.getErr().println(PREFIX + message + " (see '"
                + command.getCommandSpec().qualifiedName() + " --help')");
        command.getErr().flush();
        return ExitStatus.of(failure);
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
