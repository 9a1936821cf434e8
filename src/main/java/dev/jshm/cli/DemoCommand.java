package dev.jshm.cli;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
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
        header = "Walks through the System V life cycle on a private segment.",
        description = {
            "Walks through the System V life cycle on a private segment: shmget, shmat, write a line"
                    + " read from standard input, read it back, shmdt, shmctl(IPC_RMID).",
            "The segment is removed even when a step fails.",
            "",
            "--json prints {shmid, size, text, steps: [{step, call, result}]} once the walk is over; a failed walk"
                    + " prints no JSON, only its one 'jshm:' line.",
        })
final class DemoCommand implements Callable<Integer> {

    @Spec
    private CommandSpec spec;

    @ParentCommand
    private Main main;

    @Option(names = "--size", paramLabel = "SIZE", defaultValue = "1024", converter = SizeConverter.class,
            description = "Size of the segment in bytes (default: ${DEFAULT-VALUE}).")
    private long size;

    @Option(names = "--json", description = "Print JSON (see above).")
    private boolean json;

    private final List<Object> steps = new ArrayList<>();
    private PrintWriter out;

    /** Step {@code n} of the six: printed at once as "N. call -> result", or kept for the JSON. */
    private void step(int n, String call, String result) {
        Map<String, Object> o = Json.object();
        o.put("step", n);
        o.put("call", call);
        o.put("result", result);
        steps.add(o);
        if (!json) {
            out.println(n + ". " + call + " -> " + result);
        }
    }

    @Override
    public Integer call() throws IOException {
        out = spec.commandLine().getOut();
        int shmid = SysVSegment.builder().size(size).mode(SysVSegment.DEFAULT_MODE).createUnattached();
        step(1, String.format("shmget(IPC_PRIVATE, %d, IPC_CREAT|0%03o)", size, SysVSegment.DEFAULT_MODE), "shmid " + shmid);
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
            step(2, "shmat(" + shmid + ", NULL, 0)", String.format("0x%x (%d bytes, nattch %d)", segment.address(),
                    segment.size(), segment.stat().attachments()));

            String line = new BufferedReader(new InputStreamReader(main.stdin(), StandardCharsets.UTF_8)).readLine();
            String text = line == null ? "" : line;
            String source = line == null ? "standard input was empty, so an empty string: " : "";
            int written = segment.putString(0, text);
            step(3, source + "putString(0, \"" + text + "\")", "wrote " + written + " bytes and a NUL at offset 0");

            String back = segment.getString(0);
            step(4, "getString(0)", "read back: " + back);

            segment.close();
            step(5, String.format("shmdt(0x%x)", segment.address()), "detached, nattch " + segment.stat().attachments());

            segment.remove();
            removed = true;
            step(6, "shmctl(" + shmid + ", IPC_RMID)", "removed");
            if (json) {
                Map<String, Object> root = Json.object();
                root.put("shmid", shmid);
                root.put("size", size);
                root.put("text", back);
                root.put("steps", steps);
                out.println(Json.pretty(root));
            }
        } catch (Throwable t) {
            failure = t;
            throw t;
        } finally {
            if (!removed) {
                removeAfterFailure(segment, failure);
            }
            out.flush();
        }
        return ExitStatus.OK;
    }

    /**
     * Removes then detaches (a removed segment goes at its last detach, so this order frees it
     * even if the detach fails); a failure here is added to the one that got us here.
     */
    private void removeAfterFailure(SysVSegment segment, Throwable failure) {
        try {
            segment.remove();
            step(6, "shmctl(" + segment.shmid() + ", IPC_RMID)", "removed after the failure");
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
