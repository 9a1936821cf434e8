package dev.jshm.cli;

/**
 * A file the user named for the tool to read, write or remove ({@code --from-file},
 * {@code --to-file}, {@code --file}, {@code rm file:}) was refused or failed. The message names
 * the operation and the path; the exit status is decided with the failure (see {@link LocalFiles}).
 */
final class LocalFileException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    private final int exitStatus;

    LocalFileException(String message, int exitStatus, Throwable cause) {
        super(message, cause);
        this.exitStatus = exitStatus;
    }

    /** The {@link ExitStatus} this failure ends the command with. */
    int exitStatus() {
        return exitStatus;
    }
}
