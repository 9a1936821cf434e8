package dev.jshm.cli;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.Supplier;

import dev.jshm.Access;
import dev.jshm.MappedFileSegment;
import dev.jshm.PosixSegment;
import dev.jshm.Segment;
import dev.jshm.SegmentExistsException;
import dev.jshm.SegmentNotFoundException;
import dev.jshm.SegmentLocator;
import dev.jshm.SysVSegment;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code jshm create}: a new System V segment, POSIX object or file; prints what names it. */
@Command(name = "create", mixinStandardHelpOptions = true,
        header = "Creates a System V segment, a POSIX object or a file; without --key, with a free random key.",
        description = {
            "Creates a segment, exclusively unless --open-or-create, and prints what names it.",
            "With --key KEY, a System V segment (shmget with IPC_CREAT|IPC_EXCL): prints its shmid. Key 0"
                    + " (IPC_PRIVATE) makes a private segment that only its shmid reaches (use --id).",
            "With none of --key, --name and --file, a System V segment with a random key that no segment has,"
                    + " as ipcmk makes: prints 'key 0x... id N'.",
            "With --name NAME, a POSIX object (shm_open with O_CREAT|O_EXCL, memory reserved now): prints the name.",
            "With --file PATH, a file, mapped later with --file (never through a symbolic link): prints the path.",
            "--fill BYTE writes that byte over the whole new segment, with a progress bar on standard error"
                    + " when it is a terminal or with --progress. If filling fails, the new segment is removed.",
            "",
            "--json prints {kind, locator, key (\"0x...\"|null), id (shmid|null), name, path, size, mode, created}"
                    + " (created: false when --open-or-create found it).",
        })
final class CreateCommand implements Callable<Integer> {

    /** Filling goes in steps this large, so the bar moves and an interrupt is not long in coming. */
    private static final long FILL_STEP = 4 << 20;
    /** Random keys tried before giving up: with a few thousand segments in use, one try nearly always does. */
    private static final int FREE_KEY_ATTEMPTS = 64;

    @Spec
    private CommandSpec spec;

    @ArgGroup(exclusive = true, multiplicity = "0..1")
    private What what = new What();

    /** What to create: at most one of these; none makes a System V segment with a free random key. */
    static final class What {
        @Option(names = "--key", required = true, paramLabel = "KEY", converter = KeyConverter.class,
                description = "System V key: " + KeyConverter.FORMS + ".")
        private Integer key;

        @Option(names = "--name", required = true, paramLabel = "NAME",
                description = "POSIX shared memory object, such as /orders.")
        private String name;

        @Option(names = "--file", required = true, paramLabel = "PATH", description = "A file to create.")
        private Path file;
    }

    @Option(names = "--size", required = true, paramLabel = "SIZE", converter = SizeConverter.class,
            description = "Size, at least 1 byte: " + Sizes.FORMS + ".")
    private long size;

    @Option(names = "--mode", paramLabel = "OCTAL", converter = ModeConverter.class, defaultValue = "600",
            description = "Permission bits in octal, as chmod takes them (default: ${DEFAULT-VALUE}).")
    private int mode;

    @Option(names = "--open-or-create",
            description = "Use the existing segment (it must be at least --size bytes) instead of failing with EEXIST.")
    private boolean openOrCreate;

    @Option(names = "--huge-pages", description = "System V only: back the segment with huge pages (SHM_HUGETLB).")
    private boolean hugePages;

    @Option(names = "--fill", paramLabel = "BYTE", converter = ByteConverter.class,
            description = "Fill the segment with this byte: 0-255, or 0x00-0xff.")
    private Integer fill;

    @Option(names = "--progress", description = "Show the --fill progress bar even when standard error is not a terminal.")
    private boolean progress;

    @Option(names = "--json", description = "Print JSON (see above).")
    private boolean json;

    @Override
    public Integer call() {
        boolean sysv = what.name == null && what.file == null;
        if (hugePages && !sysv) {
            throw new IllegalArgumentException("--huge-pages is for System V segments only, not with --name or --file");
        }
        if (openOrCreate && sysv && what.key == null) {
            throw new IllegalArgumentException("--open-or-create needs the --key of the segment to open");
        }
        PrintWriter out = spec.commandLine().getOut();
        Map<String, Object> result = Json.object();
        String printed;
        if (sysv && what.key == null) {
            printed = createWithFreeKey(result);
        } else if (sysv) {
            printed = createSysV(what.key, result);
        } else if (what.name != null) {
            printed = createPosix(result);
        } else {
            printed = createFile(result);
        }
        result.put("size", size);
        result.put("mode", String.format("0%03o", mode));
        out.println(json ? Json.pretty(result) : printed);
        out.flush();
        return ExitStatus.OK;
    }

    /**
     * As ipcmk does: a random key that no segment has, made exclusively, so a key that another
     * process takes in the meantime only costs another try.
     */
    private String createWithFreeKey(Map<String, Object> result) {
        for (int attempt = 1; ; attempt++) {
            int key = ThreadLocalRandom.current().nextInt();
            if (key == SysVSegment.IPC_PRIVATE) {
                continue;
            }
            try {
                String shmid = createSysV(key, result);
                return "key " + String.format("0x%08x", key) + " id " + shmid;
            } catch (SegmentExistsException e) {
                if (attempt == FREE_KEY_ATTEMPTS) {
                    throw new SegmentExistsException("create: " + FREE_KEY_ATTEMPTS + " random keys were all taken;"
                            + " give one with --key", e.operation(), e.errno(), e.errnoName());
                }
            }
        }
    }

    private String createSysV(int key, Map<String, Object> result) {
        SysVSegment.Builder builder = SysVSegment.builder().key(key).size(size).mode(mode);
        if (openOrCreate) {
            builder.openOrCreate();
        }
        if (hugePages) {
            builder.hugePages();
        }
        boolean existed = openOrCreate && key != SysVSegment.IPC_PRIVATE && exists(key);
        // A bare shmget: attaching only to print the id would change the attach time and last pid.
        int shmid = builder.createUnattached();
        if (fill != null) {
            fillOrRemove(() -> SysVSegment.openById(shmid, Access.READ_WRITE), () -> {
                if (!existed) {
                    SysVSegment.removeById(shmid);
                }
            });
        }
        describe(result, "sysv", key == SysVSegment.IPC_PRIVATE ? SegmentLocator.sysvId(shmid)
                : SegmentLocator.sysvKey(key), !existed);
        result.put("key", String.format("0x%08x", key));
        result.put("id", shmid);
        return Integer.toString(shmid);
    }

    private static boolean exists(int key) {
        try {
            SysVSegment.idOf(key);
            return true;
        } catch (SegmentNotFoundException e) {
            return false;
        }
    }

    private String createPosix(Map<String, Object> result) {
        PosixSegment.Builder builder = PosixSegment.builder(what.name).size(size).mode(mode);
        if (openOrCreate) {
            builder.openOrCreate();
        }
        boolean created;
        try (PosixSegment segment = builder.create()) {
            created = segment.createdHere();
            if (fill != null) {
                fillOrRemove(() -> segment, () -> {
                    if (segment.createdHere()) {
                        PosixSegment.unlink(what.name);
                    }
                });
            }
        }
        describe(result, "posix", SegmentLocator.posix(what.name), created);
        result.put("name", what.name);
        result.put("path", "/dev/shm" + what.name);
        return what.name;
    }

    private String createFile(Map<String, Object> result) {
        Path path = what.file.toAbsolutePath();
        MappedFileSegment.Builder builder = MappedFileSegment.builder(path).size(size).mode(mode);
        if (openOrCreate) {
            builder.openOrCreate();
        }
        boolean existed = Files.exists(path, LinkOption.NOFOLLOW_LINKS);
        try (MappedFileSegment segment = builder.create()) {
            if (fill != null) {
                fillOrRemove(() -> segment, () -> {
                    if (!existed) {
                        deleteQuietly(path);
                    }
                });
                segment.force();
            }
        }
        describe(result, "file", SegmentLocator.file(path, 0, 0), !existed);
        result.put("path", path.toString());
        return path.toString();
    }

    private static void deleteQuietly(Path path) {
        try {
            Files.deleteIfExists(path);
        } catch (IOException e) {
            // The fill failure is what the user hears about.
        }
    }

    private static void describe(Map<String, Object> result, String kind, SegmentLocator locator, boolean created) {
        result.put("kind", kind);
        result.put("locator", locator.toString());
        result.put("key", null);
        result.put("id", null);
        result.put("name", null);
        result.put("path", null);
        result.put("created", created);
    }

    /** Opens the new segment and fills it; if that fails, runs {@code undo} (which removes it) and rethrows. */
    private void fillOrRemove(Supplier<Segment> open, Runnable undo) {
        try {
            Segment segment = open.get();
            try {
                Progress bar = new Progress(spec.commandLine().getErr(), "fill", segment.size(),
                        progress || Terminal.isTerminal(Terminal.STDERR));
                for (long done = 0; done < segment.size(); ) {
                    long step = Math.min(FILL_STEP, segment.size() - done);
                    segment.fill(done, step, (byte) (int) fill);
                    done += step;
                    bar.update(done);
                }
                bar.finish();
            } finally {
                if (segment instanceof SysVSegment) {
                    segment.close();
                }
            }
        } catch (RuntimeException | Error e) {
            try {
                undo.run();
            } catch (RuntimeException suppressed) {
                e.addSuppressed(suppressed);
            }
            throw e;
        }
    }
}
