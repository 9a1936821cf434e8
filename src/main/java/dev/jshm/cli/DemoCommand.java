package dev.jshm.cli;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.Callable;

import dev.jshm.Access;
import dev.jshm.SysVSegment;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

/**
 * {@code jshm demo}: the seed tutorial's six steps on a private segment, each printed as the
 * system call it stands for and its result. The segment is removed whatever step fails.
 */
@Command(name = "demo", mixinStandardHelpOptions = true,
        description = {
            "Walks through the System V life cycle on a private segment: shmget, shmat, write a line"
                    + " read from standard input, read it back, shmdt, shmctl(IPC_RMID).",
            "The segment is removed even when a step fails.",
        })
final class DemoCommand implements Callable<Integer> {

    @Spec
    private CommandSpec spec;

    @ParentCommand
    private Main main;

    @Option(names = "--size", paramLabel = "BYTES", defaultValue = "1024",
            description = "Size of the segment in bytes (default: ${DEFAULT-VALUE}).")
    private long size;

    @Override
    public Integer call() throws IOException {
        PrintWriter out = spec.commandLine().getOut();
        int shmid = SysVSegment.builder().size(size).mode(SysVSegment.DEFAULT_MODE).createUnattached();
        out.printf("1. shmget(IPC_PRIVATE, %d, IPC_CREAT|0%03o) -> shmid %d%n", size, SysVSegment.DEFAULT_MODE, shmid);
        SysVSegment segment;
        try {
            segment = SysVSegment.openById(shmid, Access.READ_WRITE);
        } catch (RuntimeException e) {
            // Nothing else knows a private segment's id: remove it before giving up.
            SysVSegment.removeById(shmid);
            throw e;
        }
        boolean removed = false;
        Throwable failure = null;
        try {
            out.printf("2. shmat(%d, NULL, 0) -> 0x%x (%d bytes, nattch %d)%n",
                    shmid, segment.address(), segment.size(), segment.stat().attachments());

            String line = new BufferedReader(new InputStreamReader(main.stdin(), StandardCharsets.UTF_8)).readLine();
            String text = line == null ? "" : line;
            String source = line == null ? "standard input was empty, so an empty string: " : "";
            int written = segment.putString(0, text);
            out.printf("3. %sputString(0, \"%s\") -> wrote %d bytes and a NUL at offset 0%n", source, text, written);

            out.printf("4. getString(0) -> read back: %s%n", segment.getString(0));

            segment.close();
            out.printf("5. shmdt(0x%x) -> detached, nattch %d%n", segment.address(), segment.stat().attachments());

            segment.remove();
            removed = true;
            out.printf("6. shmctl(%d, IPC_RMID) -> removed%n", shmid);
        } catch (Throwable t) {
            failure = t;
            throw t;
        } finally {
            if (!removed) {
                removeAfterFailure(segment, failure, out);
            }
            out.flush();
        }
        return ExitStatus.OK;
    }

    /**
     * Removes then detaches (a removed segment goes at its last detach, so this order frees it
     * even if the detach fails); a failure here is added to the one that got us here.
     */
    private static void removeAfterFailure(SysVSegment segment, Throwable failure, PrintWriter out) {
        try {
            segment.remove();
            out.printf("6. shmctl(%d, IPC_RMID) -> removed after the failure%n", segment.shmid());
        } catch (RuntimeException e) {
            if (failure == null) {
                throw e;
            }
            failure.addSuppressed(e);
        } finally {
            segment.close();
        }
    }
}
