package dev.jshm.cli;

import java.io.PrintWriter;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;

import dev.jshm.SysVSegment;
import dev.jshm.SysVStat;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/** {@code jshm stat}: every field of {@link SysVStat}, one {@code name: value} line each. */
@Command(name = "stat", mixinStandardHelpOptions = true,
        description = {
            "Prints what the kernel knows about the segment (shmctl IPC_STAT), as ipcs -m -i does:"
                    + " one 'name: value' line for each field.",
            "It does not attach, so attachments and the attach and detach times are the segment's own.",
        })
final class StatCommand implements Callable<Integer> {

    static final String NEVER = "never";

    @Spec
    private CommandSpec spec;

    @ArgGroup(exclusive = true, multiplicity = "1")
    private SegmentSelector segment;

    @Override
    public Integer call() {
        // Attaching (even read-only) would change the very fields shown: nattch, atime, lpid.
        SysVStat stat = SysVSegment.statById(segment.sysvId());
        print(stat, spec.commandLine().getOut());
        return ExitStatus.OK;
    }

    /** The lines of {@code stat}, names aligned; the names are those of the record's components. */
    static void print(SysVStat stat, PrintWriter out) {
        Map<String, String> fields = new LinkedHashMap<>();
        fields.put("key", String.format("0x%08x", stat.key()));
        fields.put("shmid", Integer.toString(stat.shmid()));
        fields.put("size", Long.toString(stat.size()));
        fields.put("mode", String.format("0%03o %s", stat.mode(), stat.permissions()));
        fields.put("uid", Long.toString(stat.uid()));
        fields.put("gid", Long.toString(stat.gid()));
        fields.put("cuid", Long.toString(stat.cuid()));
        fields.put("cgid", Long.toString(stat.cgid()));
        fields.put("cpid", Long.toString(stat.cpid()));
        fields.put("lpid", Long.toString(stat.lpid()));
        fields.put("attachments", Long.toString(stat.attachments()));
        fields.put("attachTime", time(stat.attachTime()));
        fields.put("detachTime", time(stat.detachTime()));
        fields.put("changeTime", time(stat.changeTime()));
        fields.put("removed", Boolean.toString(stat.removed()));
        fields.put("locked", Boolean.toString(stat.locked()));
        int width = fields.keySet().stream().mapToInt(String::length).max().orElse(0) + 1;
        fields.forEach((name, value) -> out.printf("%-" + width + "s %s%n", name + ":", value));
    }

    /** ISO-8601 in this machine's zone, as ipcs shows local times; the kernel's 0 means never. */
    private static String time(Instant instant) {
        if (Instant.EPOCH.equals(instant)) {
            return NEVER;
        }
        return OffsetDateTime.ofInstant(instant, ZoneId.systemDefault()).format(DateTimeFormatter.ISO_OFFSET_DATE_TIME);
    }
}
