package dev.jshm;

import java.util.Set;

/**
 * {@link CloseRace} in a JVM of its own, for {@link CloseRaceTest}: a crash kills only this
 * process, and the test sees it as an exit code and an {@code hs_err} file instead of a
 * vanished surefire fork.
 *
 * <p>Arguments: the number of rounds. Prints one summary line; exits 0 when nothing unexpected
 * happened and every segment is gone from {@code ipcs -m}, 1 otherwise.
 */
public final class CloseRaceMain {

    private CloseRaceMain() {
    }

    public static void main(String[] args) throws Exception {
        int rounds = Integer.parseInt(args[0]);
        CloseRace.Result result = CloseRace.run(rounds, 1);
        Set<Integer> listed = TestSysV.ipcsShmids();
        long leftOver = result.shmids().stream().filter(listed::contains).count();
        for (Throwable t : result.unexpected()) {
            t.printStackTrace();
        }
        System.out.println(result.summary() + " segmentsLeft=" + leftOver);
        System.exit(result.unexpected().isEmpty() && leftOver == 0 ? 0 : 1);
    }
}
