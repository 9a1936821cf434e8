package dev.jshm.cli;

/** The tool declined to do something unsafe that {@code --force} would allow; exit status {@link ExitStatus#REFUSED}. */
final class RefusedException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    RefusedException(String message) {
        super(message);
    }
}
