package dev.jshm.cli;

import java.io.PrintWriter;

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
        PrintWriter err = command.getErr();
        String message = failure.getMessage();
        err.println(PREFIX + (message == null || message.isBlank() ? failure.getClass().getName() : message));
        if (parsed != null && parsed.hasMatchedOption(Main.VERBOSE)) {
            failure.printStackTrace(err);
        }
        err.flush();
        return ExitStatus.of(failure);
    }
}
