package dev.jshm.cli;

import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;

import dev.jshm.PosixSegment;
import dev.jshm.SegmentLocator;
import dev.jshm.SysVSegment;
import dev.jshm.stat.PosixObjectInfo;
import dev.jshm.stat.SysVStat;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

/** {@code jshm reap}: removes your orphaned segments. */
@Command(name = "reap", mixinStandardHelpOptions = true,
        header = "Removes your orphans: segments no process uses, left by processes that have ended.",
        description = {
            "Removes the orphaned segments that you own.",
            "A System V segment is an orphan when no process has it attached (nattch 0) and its creator"
                    + " process has ended (its pid no longer runs), so no one is left who knows to remove it.",
            "A POSIX object is an orphan when no process maps it (/proc/*/maps) or holds it open"
                    + " (/proc/*/fd). When other users' processes cannot be read, only objects no other user"
                    + " may open count.",
            "Each segment is checked again just before it is removed (System V: still unattached, same creator;"
                    + " POSIX: the same file). Give locators (sysv:key=0x..,"
                    + " sysv:id=N, posix:/name) to consider only those; --dry-run only shows what would go.",
            "Prints one line per segment and a summary.",
            "",
            "--json prints {dryRun, orphans: [as list --json], removed: [locator], failed: [{target, status,"
                    + " error}]}.",
        })
final class ReapCommand implements Callable<Integer> {

    @Spec
    private CommandSpec spec;

    @ParentCommand
    private Main main;

    @Option(names = "--dry-run", description = "Show what would be removed; remove nothing.")
    private boolean dryRun;

    @Option(names = "--kind", paramLabel = "KIND", description = "Only this kind: sysv or posix (default: both).")
    private ListCommand.Kind kind;

    @Option(names = "--json", description = "Print JSON (see above).")
    private boolean json;

    @Parameters(paramLabel = "LOCATOR", arity = "0..*",
            description = "Consider only these segments (default: all of yours).")
    private List<String> only = new ArrayList<>();

    @Override
    public Integer call() {
        List<SegmentLocator> restriction = new ArrayList<>();
        for (String text : only) {
            SegmentLocator locator = Target.parse(text).locator();
            if (locator.kind() == SegmentLocator.Kind.FILE) {
                throw new IllegalArgumentException("reap " + text + ": files are never orphans (reap takes System V"
                        + " segments and POSIX objects)");
            }
            restriction.add(locator);
        }
        long me = Users.effectiveUid();
        Users users = Users.system();
        List<Inventory.Item> orphans = new ArrayList<>();
        for (Inventory.Item item : Inventory.take(kind == null ? Inventory.Kinds.ALL : kind.kinds())) {
            if (item.isOrphanOf(me) && (restriction.isEmpty() || restriction.stream().anyMatch(l -> matches(l, item)))) {
                orphans.add(item);
            }
        }
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        List<Object> removed = new ArrayList<>();
        List<Object> failed = new ArrayList<>();
        int status = ExitStatus.OK;
        long bytes = 0;
        for (Inventory.Item item : orphans) {
            String what = describe(item);
            if (dryRun) {
                print(out, "would remove " + what);
                bytes += item.size();
                continue;
            }
            try {
                remove(item);
                removed.add(item.locator().toString());
                bytes += item.size();
                print(out, "removed " + what);
            } catch (RuntimeException e) {
                int code = ExitStatus.of(e);
                status = status == ExitStatus.OK ? code : status;
                FailureHandler.report(err, "reap " + item.locator() + ": ", e, main.verbose());
                Map<String, Object> o = Json.object();
                o.put("target", item.locator().toString());
                o.put("status", code);
                o.put("error", FailureHandler.message(e));
                failed.add(o);
            }
        }
        if (json) {
            Map<String, Object> root = Json.object();
            root.put("dryRun", dryRun);
            List<Object> listed = new ArrayList<>();
            orphans.forEach(item -> listed.add(item.json(users, me)));
            root.put("orphans", listed);
            root.put("removed", removed);
            root.put("failed", failed);
            out.println(Json.pretty(root));
        } else if (orphans.isEmpty()) {
            out.println("no orphans");
        } else {
            int count = dryRun ? orphans.size() : removed.size();
            out.println((dryRun ? "would reap " : "reaped ") + count + (count == 1 ? " segment, " : " segments, ")
                    + Sizes.human(bytes));
        }
        out.flush();
        return status;
    }

    private void print(PrintWriter out, String line) {
        if (!json) {
            out.println(line);
            out.flush();
        }
    }

    private static boolean matches(SegmentLocator locator, Inventory.Item item) {
        return switch (locator.kind()) {
            case SYSV_KEY -> item.isSysV() && item.sysv().key() == SegmentLocator.parseKey(locator.target());
            case SYSV_ID -> item.isSysV() && Integer.toString(item.sysv().shmid()).equals(locator.target());
            case POSIX -> !item.isSysV() && item.posix().name().equals(locator.target());
            case FILE -> false;
        };
    }

    private static String describe(Inventory.Item item) {
        if (item.isSysV()) {
            SysVStat s = item.sysv();
            return item.locator() + " (key " + String.format("0x%08x", s.key()) + ", " + Sizes.human(s.size())
                    + ", creator pid " + s.cpid() + " has ended, no attachments)";
        }
        return item.locator() + " (" + Sizes.human(item.size()) + ", mapped and held open by no process)";
    }

    /** Removes an orphan after checking again that it still is one: the same segment, still unused. */
    private static void remove(Inventory.Item item) {
        if (item.isSysV()) {
            SysVStat now = SysVSegment.statById(item.sysv().shmid());
            if (now.cpid() != item.sysv().cpid() || now.attachments() > 0 || now.removed()) {
                throw new RefusedException("refused: shmid " + now.shmid() + " changed since it was listed ("
                        + now.attachments() + " attachments now); left alone");
            }
            SysVSegment.removeById(now.shmid());
        } else {
            PosixObjectInfo now = PosixObjectInfo.of(item.posix().name());
            if (now.stat().inode() != item.posix().stat().inode() || now.stat().device() != item.posix().stat().device()) {
                throw new RefusedException("refused: " + now.name() + " was replaced by another object since it was"
                        + " listed; left alone");
            }
            PosixSegment.unlink(item.posix().name());
        }
    }
}
