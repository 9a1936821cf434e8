package dev.jshm.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import dev.jshm.SysVSegment;
import dev.jshm.cli.JshmRunner.Run;

/**
 * The promise of {@link JshmRunner} that the command-line ITs rely on to leave nothing in
 * {@code ipcs -m}: what its processes made goes when it closes, also what no test registered
 * (a test whose assertion on a create's output failed before it read the id).
 */
class JshmRunnerIT {

    @TempDir
    Path workDir;

    @TempDir
    Path scratch;

    @Test
    void closeRemovesTheSegmentsItsProcessesMadeThatNoOneRegistered() {
        int shmid;
        try (JshmRunner runner = new JshmRunner(workDir, scratch)) {
            Run run = runner.jshm("create", "--size", "1");
            Matcher printed = Pattern.compile("key 0x[0-9a-f]{8} id (\\d+)\n").matcher(run.out());
            assertTrue(printed.matches(), run::toString);
            shmid = Integer.parseInt(printed.group(1));
            assertEquals(run.pid(), SysVSegment.statById(shmid).cpid(), run::toString);
        }
        boolean left = SysVSegment.list().stream().anyMatch(stat -> stat.shmid() == shmid && !stat.removed());
        if (left) {
            SysVSegment.removeById(shmid); // the runner failed: this test still leaves nothing
        }
        assertFalse(left, "shmid " + shmid + " outlived the runner whose process made it");
    }
}
