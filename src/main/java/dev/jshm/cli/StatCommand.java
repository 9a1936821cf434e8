package dev.jshm.cli;

import java.io.PrintWriter;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.stream.Collectors;

import dev.jshm.Access;
import dev.jshm.MappedFileSegment;
import dev.jshm.Segment;
import dev.jshm.SegmentLocator;
import dev.jshm.ShmException;
import dev.jshm.SysVSegment;
import dev.jshm.stat.FileStat;
import dev.jshm.stat.PosixObjectInfo;
import dev.jshm.stat.SysVStat;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code jshm stat}: everything the kernel knows about one segment, and its first bytes. */
@Command(name = "stat", mixinStandardHelpOptions = true,
        header = "Shows everything the kernel knows about one segment, and its first bytes.",
        description = {
            "Prints what the kernel knows about the segment, one 'name: value' line each, then its"
                    + " first bytes as a hex dump (--bytes).",
            "System V: the fields of shmctl(IPC_STAT), as ipcs -m -i shows them, read before anything"
                    + " attaches. Showing the bytes attaches read-only for a moment, which sets the attach"
                    + " time and last pid; --bytes 0 leaves the segment untouched.",
            "POSIX: lstat of /dev/shm/NAME (without opening it) and the processes that map it or hold"
                    + " it open (from /proc). File: fstat of the file.",
            "",
            "--json prints one object: kind, locator and the fields above under their names (sizes in"
                    + " bytes, times ISO-8601 UTC or null for never, mode as \"0600\"), and \"bytes\": {offset,"
                    + " length, hex} or null, with \"bytesError\" when they could not be read.",
        })
final class StatCommand implements Callable<Integer> {

    /** The most bytes a dump shows: it is built in memory whole. */
    static final long MAX_SHOWN = 1L << 30;

    @Spec
    private CommandSpec spec;

    @ArgGroup(exclusive = true, multiplicity = "1")
    private SegmentSelector segment;

    @Option(names = "--bytes", paramLabel = "N", defaultValue = "64", converter = SizeConverter.class,
            description = "How many bytes to show from the start (default: ${DEFAULT-VALUE}; 0: none).")
    private long bytes;

    @Option(names = "--json", description = "Print JSON (see above).")
    private boolean json;

    /** A field's value for people and for JSON. */
    record Field(String text, Object json) {
    }

    @Override
    public Integer call() {
        if (bytes < 0 || bytes > MAX_SHOWN) {
            throw new IllegalArgumentException("--bytes " + bytes + ": give 0 to " + Sizes.human(MAX_SHOWN));
        }
        Target target = segment.target();
        // A file's fields need it open (an empty file or an offset past its end fails here); the dump reuses it.
        Segment file = target.kind() == SegmentLocator.Kind.FILE ? target.open(Access.READ_ONLY, "stat") : null;
        try {
            print(fields(target, file, Users.system()), dump(target, file), spec.commandLine().getOut());
        } finally {
            if (file != null) {
                file.close();
            }
        }
        return ExitStatus.OK;
    }

    /**
     * Every field of the target's stat, in order; {@code file} is the open mapping of a file target
     * (null for the other kinds).
     */
    static Map<String, Field> fields(Target target, Segment file, Users users) {
        Map<String, Field> fields = new LinkedHashMap<>();
        fields.put("kind", new Field(target.kindName(), target.kindName()));
        fields.put("locator", new Field(target.toString(), target.toString()));
        switch (target.kind()) {
            case SYSV_KEY, SYSV_ID -> sysv(SysVSegment.statById(target.sysvId()), users, fields);
            case POSIX -> posix(PosixObjectInfo.of(target.posixName()), users, fields);
            case FILE -> {
                MappedFileSegment mapped = (MappedFileSegment) file;
                fields.put("path", new Field(mapped.path().toString(), mapped.path().toString()));
                fields.put("fileOffset", new Field(Long.toString(mapped.fileOffset()), mapped.fileOffset()));
                fields.put("mappedSize", sizeField(mapped.size()));
                file(mapped.stat(), users, fields);
            }
        }
        return fields;
    }

    /** The fields as aligned {@code name: value} lines. */
    static void printFields(Map<String, Field> fields, PrintWriter out) {
        int width = fields.keySet().stream().mapToInt(String::length).max().orElse(0) + 1;
        fields.forEach((name, field) -> out.printf("%-" + width + "s %s%n", name + ":", field.text()));
    }

    /** The fields as a JSON object. */
    static Map<String, Object> json(Map<String, Field> fields) {
        Map<String, Object> root = Json.object();
        fields.forEach((name, field) -> root.put(name, field.json()));
        return root;
    }

    /** The first bytes, or why they could not be read; reuses the file mapping that {@code call} made. */
    private Dump dump(Target target, Segment alreadyOpen) {
        if (bytes == 0) {
            return null;
        }
        try {
            Segment opened = alreadyOpen != null ? alreadyOpen : target.open(Access.READ_ONLY, "stat");
            try {
                byte[] data = new byte[(int) Math.min(bytes, opened.size())];
                opened.read(0, data);
                return new Dump(opened.size(), data, null);
            } finally {
                if (opened != alreadyOpen) {
                    opened.close();
                }
            }
        } catch (ShmException | IndexOutOfBoundsException e) {
            return new Dump(0, null, e.getMessage());
        }
    }

    private record Dump(long size, byte[] data, String error) {
    }

    private void print(Map<String, Field> fields, Dump dump, PrintWriter out) {
        if (json) {
            Map<String, Object> root = json(fields);
            if (dump != null && dump.data() != null) {
                Map<String, Object> b = Json.object();
                b.put("offset", 0);
                b.put("length", dump.data().length);
                b.put("hex", HexDump.plain(dump.data()));
                root.put("bytes", b);
            } else {
                root.put("bytes", null);
                if (dump != null) {
                    root.put("bytesError", dump.error());
                }
            }
            out.println(Json.pretty(root));
            out.flush();
            return;
        }
        printFields(fields, out);
        if (dump != null) {
            out.println();
            if (dump.data() == null) {
                out.println("bytes: not readable: " + dump.error());
            } else {
                out.printf("first %d of %d bytes:%n", dump.data().length, dump.size());
                out.print(HexDump.lines(dump.data(), 0));
            }
        }
        out.flush();
    }

    /** The IPC_STAT fields under the names of {@link SysVStat}'s components, with owner and creator state added. */
    static void sysv(SysVStat stat, Users users, Map<String, Field> fields) {
        fields.put("key", new Field(String.format("0x%08x", stat.key()), String.format("0x%08x", stat.key())));
        fields.put("shmid", new Field(Integer.toString(stat.shmid()), stat.shmid()));
        fields.put("size", sizeField(stat.size()));
        fields.put("mode", modeField(stat.mode()));
        fields.put("owner", new Field(users.name(stat.uid()), users.name(stat.uid())));
        fields.put("uid", number(stat.uid()));
        fields.put("gid", number(stat.gid()));
        fields.put("cuid", number(stat.cuid()));
        fields.put("cgid", number(stat.cgid()));
        fields.put("cpid", number(stat.cpid()));
        Boolean alive = Inventory.creatorAlive(stat.cpid());
        fields.put("creatorAlive", new Field(alive == null ? "unknown" : alive.toString(), alive));
        fields.put("lpid", number(stat.lpid()));
        fields.put("attachments", number(stat.attachments()));
        fields.put("attachTime", timeField(stat.attachTime()));
        fields.put("detachTime", timeField(stat.detachTime()));
        fields.put("changeTime", timeField(stat.changeTime()));
        fields.put("removed", new Field(Boolean.toString(stat.removed()), stat.removed()));
        fields.put("locked", new Field(Boolean.toString(stat.locked()), stat.locked()));
    }

    private static void posix(PosixObjectInfo object, Users users, Map<String, Field> fields) {
        fields.put("name", new Field(object.name(), object.name()));
        fields.put("path", new Field(object.path().toString(), object.path().toString()));
        file(object.stat(), users, fields);
        ProcScan scan = ProcScan.system();
        fields.put("mappedBy", pids(scan.mappers(object.stat()), scan));
        fields.put("usedBy", pids(scan.users(object.stat()), scan));
    }

    private static void file(FileStat stat, Users users, Map<String, Field> fields) {
        fields.put("size", sizeField(stat.size()));
        fields.put("mode", modeField(stat.mode()));
        fields.put("owner", new Field(users.name(stat.uid()), users.name(stat.uid())));
        fields.put("uid", number(stat.uid()));
        fields.put("gid", number(stat.gid()));
        fields.put("device", number(stat.device()));
        fields.put("inode", number(stat.inode()));
        fields.put("links", number(stat.links()));
        fields.put("modifiedTime", timeField(stat.modifiedTime()));
    }

    private static Field pids(Set<Long> pids, ProcScan scan) {
        String text = pids.isEmpty() ? "none" : pids.stream().map(String::valueOf).collect(Collectors.joining(" "));
        if (!scan.complete()) {
            text += " (and perhaps others: " + scan.unreadable() + " processes could not be read)";
        }
        return new Field(text, List.copyOf(pids));
    }

    private static Field number(long value) {
        return new Field(Long.toString(value), value);
    }

    private static Field sizeField(long size) {
        return new Field(size + (size >= 1024 ? " (" + Sizes.human(size) + ")" : ""), size);
    }

    private static Field modeField(int mode) {
        return new Field(String.format("0%03o %s", mode, ModeConverter.symbolic(mode)), String.format("0%03o", mode));
    }

    private static Field timeField(Instant time) {
        return new Field(Times.detailed(time), Times.json(time));
    }
}
