package dev.jshm;

/**
 * Thrown when jshm's native library cannot be loaded on this platform or machine.
 *
 * <p>The message names {@code os.name}, {@code os.arch} and every path that was tried, each with
 * the reason it failed. Each failed attempt is also attached as a suppressed exception, so the
 * original errors (with their stack traces) are not lost.
 *
 * <p>jshm remembers this failure when its native bridge is first initialised and throws it again
 * from every operation that needs the library.
 */
public final class NativeUnavailableException extends UnsupportedOperationException {

    private static final long serialVersionUID = 1L;

    /**
     * A failure with no single cause; jshm adds each failed attempt, if any, as suppressed.
     *
     * @param message what could not be loaded, on which platform, and why
     */
    public NativeUnavailableException(String message) {
        super(message);
    }

    /**
     * A failure with one cause.
     *
     * @param message what could not be loaded, on which platform, and why
     * @param cause   the error that made loading fail
     */
    public NativeUnavailableException(String message, Throwable cause) {
        super(message, cause);
    }
}
