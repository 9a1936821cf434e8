package dev.jshm.cli;

import java.nio.file.Path;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.io.TempDir;

/**
 * What every command-line IT sets up: an empty working directory, a scratch directory for the
 * runs' streams, and a {@link JshmRunner} that removes whatever the test made after it, also when
 * it failed. A subclass's own {@code @AfterEach} runs before {@link #removeWhatTheTestMade()}.
 */
abstract class CliItBase {

    @TempDir
    Path workDir;

    @TempDir
    Path scratch;

    JshmRunner jshm;

    /** How long one process may run before the test fails. */
    long timeoutSeconds() {
        return JshmRunner.DEFAULT_TIMEOUT_SECONDS;
    }

    @BeforeEach
    final void startRunner() {
        jshm = new JshmRunner(workDir, scratch, timeoutSeconds());
    }

    @AfterEach
    final void removeWhatTheTestMade() {
        jshm.close();
    }
}
