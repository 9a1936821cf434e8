package dev.jshm.cli;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.Callable;

import dev.jshm.Access;
import dev.jshm.Segment;
import dev.jshm.SegmentLocator;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code jshm watch}: a segment's bytes (or its stat) again and again. */
@Command(name = "watch", mixinStandardHelpOptions = true,
        header = "Shows a segment's bytes or its stat again and again.",
        description = {
            "Shows the segment's bytes as a hex dump (or with --stat its stat fields) every --interval"
                    + " milliseconds, until interrupted (Ctrl-C) or after --count refreshes.",
            "Each refresh starts with a line 'jshm watch LOCATOR  refresh N  TIME'. When standard output is"
                    + " a terminal the screen is cleared first (ANSI); otherwise refreshes follow one another.",
            "The segment stays attached read-only while watching the bytes (for System V that is one more"
                    + " attachment in nattch); --stat does not attach System V segments or POSIX objects.",
            "",
            "--json prints one JSON object per line and refresh: {refresh, time, offset, hex} or"
                    + " {refresh, time, stat: {as stat --json}}.",
        })
final class WatchCommand implements Callable<Integer> {

    private static final String CLEAR_SCREEN = "\033[H\033[2J";

    @Spec
    private CommandSpec spec;

    @ArgGroup(exclusive = true, multiplicity = "1")
    private SegmentSelector segment;

    @Option(names = "--interval", paramLabel = "MS", defaultValue = "1000",
            description = "Milliseconds between refreshes (default: ${DEFAULT-VALUE}).")
    private long interval;

    @Option(names = "--count", paramLabel = "N", description = "Stop after N refreshes (default: never).")
    private Long count;

    @Option(names = "--stat", description = "Show the stat fields instead of the bytes.")
    private boolean stat;

    @Option(names = "--offset", paramLabel = "BYTES", defaultValue = "0", converter = SizeConverter.class,
            description = "First byte shown (default: ${DEFAULT-VALUE}).")
    private long offset;

    @Option(names = "--length", paramLabel = "BYTES", defaultValue = "256", converter = SizeConverter.class,
            description = "How many bytes to show, at most to the end of the segment (default: ${DEFAULT-VALUE}).")
    private long length;

    @Option(names = "--json", description = "Print JSON lines (see above).")
    private boolean json;

    @Override
    public Integer call() throws InterruptedException {
        if (interval < 0 || (count != null && count < 1) || length < 0 || length > StatCommand.MAX_SHOWN) {
            throw new IllegalArgumentException("--interval must be 0 or more, --count 1 or more and --length 0 to "
                    + Sizes.human(StatCommand.MAX_SHOWN));
        }
        Target target = segment.target();
        boolean clear = !json && Terminal.isTerminal(Terminal.STDOUT);
        PrintWriter out = spec.commandLine().getOut();
        Users users = Users.system();
        boolean attach = !stat || target.kind() == SegmentLocator.Kind.FILE;
        try (Segment attached = attach ? target.open(Access.READ_ONLY, "watch") : null) {
            if (attached != null && (offset < 0 || offset > attached.size())) {
                throw new IndexOutOfBoundsException("--offset " + offset + ": outside the segment: offset=" + offset
                        + " size=" + attached.size());
            }
            for (long refresh = 1; count == null || refresh <= count; refresh++) {
                if (refresh > 1) {
                    Thread.sleep(interval);
                }
                Instant now = Instant.now();
                if (json) {
                    Map<String, Object> o = Json.object();
                    o.put("refresh", refresh);
                    o.put("time", now.toString());
                    if (stat) {
                        o.put("stat", StatCommand.json(StatCommand.fields(target, attached, users)));
                    } else {
                        byte[] bytes = bytes(attached);
                        o.put("offset", offset);
                        o.put("hex", HexDump.plain(bytes));
                    }
                    out.println(Json.compact(o));
                } else {
                    // Built whole, then printed at once, so a terminal never shows half a refresh.
                    StringWriter text = new StringWriter();
                    PrintWriter view = new PrintWriter(text);
                    view.println("jshm watch " + target + "  refresh " + refresh + (count == null ? "" : "/" + count)
                            + "  " + Times.detailed(now));
                    if (stat) {
                        StatCommand.printFields(StatCommand.fields(target, attached, users), view);
                    } else {
                        view.print(HexDump.lines(bytes(attached), offset));
                    }
                    view.flush();
                    out.print((clear ? CLEAR_SCREEN : "") + text);
                }
                out.flush();
            }
        }
        return ExitStatus.OK;
    }

    private byte[] bytes(Segment attached) {
        byte[] bytes = new byte[(int) Math.min(length, attached.size() - offset)];
        attached.read(offset, bytes);
        return bytes;
    }
}
