package dev.jshm.cli;

import dev.jshm.stat.SysVStat;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.concurrent.Callable;

import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code jshm list}: the System V segments and POSIX objects of this machine (its IPC namespace). */
@Command(name = "list", mixinStandardHelpOptions = true,
        header = "Lists System V segments and POSIX objects in one table, as ipcs -m does.",
        description = {
            "Lists System V segments (as ipcs -m does, from /proc/sysvipc/shm) and POSIX shared memory"
                    + " objects (the regular files in /dev/shm), in one table. Nothing is attached or opened.",
            "ATTACH is nattch for System V; for POSIX it is the number of processes that map the object"
                    + " (from /proc/*/maps): 'N+' when other users' processes could not be read (at least N),"
                    + " '?' when none could.",
            "CREATOR is the System V creator pid and whether it still runs (POSIX objects do not record one).",
            "As ipcs does, --creator shows the creator's and the owner's user and group (ipcs -c), --pids the"
                    + " creator and last pids (ipcs -p), --times the attach, detach and change times (ipcs -t),"
                    + " and --bytes the sizes in bytes (ipcs -b). POSIX objects have no creator, pids or"
                    + " attach times ('-'); their CHANGED is the file's modification time.",
            "An orphan (STATUS 'orphan', --orphans) is owned by you and used by no one: System V with no"
                    + " attachment and its creator gone; POSIX mapped and held open by no process. 'jshm reap'"
                    + " removes them.",
            "",
            "--json prints {\"segments\": [...]} with, for each: kind (\"sysv\"|\"posix\"), locator, key"
                    + " (\"0x...\" or null), id (or null), name and path (POSIX, else null), owner, uid, gid,"
                    + " creatorUid, creatorGid (System V, else null), perms (\"0600\"), size (bytes), attachments,"
                    + " attachmentsExact, mappedBy and usedBy (POSIX pids, else null), creatorPid,"
                    + " creatorAlive (true|false|null), lastPid, attachTime, detachTime, changeTime (System V),"
                    + " modifiedTime (POSIX): ISO-8601 UTC or null; removed, locked, orphan. --sort orders it too.",
        })
final class ListCommand implements Callable<Integer> {

    @Spec
    private CommandSpec spec;

    @Option(names = "--kind", paramLabel = "KIND", description = "Only this kind: sysv or posix (default: both).")
    private Kind kind;

    @Option(names = "--owner", paramLabel = "USER", description = "Only segments this user (a name or a uid) owns.")
    private String owner;

    @Option(names = "--orphans", description = "Only your orphans: what 'jshm reap' would remove.")
    private boolean orphans;

    @Option(names = {"--creator", "-c"}, description = "Show creator and owner user and group (as ipcs -c).")
    private boolean creator;

    @Option(names = {"--pids", "-p"}, description = "Show creator and last pids (as ipcs -p).")
    private boolean pids;

    @Option(names = {"--times", "-t"}, description = "Show attach, detach and change times (as ipcs -t).")
    private boolean times;

    @Option(names = {"--bytes", "-b"}, description = "Show sizes in bytes (as ipcs -b), not as 4K or 1.5M.")
    private boolean bytes;

    @Option(names = "--sort", paramLabel = "FIELD",
            description = "Order by one of: ${COMPLETION-CANDIDATES} (default: kind, then id or name).")
    private ListOrder sort;

    @Option(names = "--reverse", description = "Reverse the order.")
    private boolean reverse;

    @Option(names = "--json", description = "Print JSON (see above) instead of a table.")
    private boolean json;

    /** The kinds {@code --kind} takes. */
    enum Kind {
        sysv, posix;

        Inventory.Kinds kinds() {
            return this == sysv ? Inventory.Kinds.SYSV : Inventory.Kinds.POSIX;
        }
    }

    @Override
    public Integer call() {
        Users users = Users.system();
        long me = Users.effectiveUid();
        OptionalLong ownerUid = OptionalLong.empty();
        if (owner != null) {
            ownerUid = users.uid(owner);
            if (ownerUid.isEmpty()) {
                throw new IllegalArgumentException("--owner " + owner + ": no such user (give a name from /etc/passwd or a uid)");
            }
        }
        List<Inventory.Item> items = new ArrayList<>();
        for (Inventory.Item item : Inventory.take(kind == null ? Inventory.Kinds.ALL : kind.kinds())) {
            if ((ownerUid.isEmpty() || item.uid() == ownerUid.getAsLong()) && (!orphans || item.isOrphanOf(me))) {
                items.add(item);
            }
        }
        Comparator<Inventory.Item> order = sort == null ? (a, b) -> 0 : sort.comparator();
        items.sort(reverse ? order.reversed() : order);
        PrintWriter out = spec.commandLine().getOut();
        if (json) {
            List<Object> segments = new ArrayList<>();
            items.forEach(item -> segments.add(item.json(users, me)));
            Map<String, Object> root = Json.object();
            root.put("segments", segments);
            out.println(Json.pretty(root));
        } else if (items.isEmpty()) {
            out.println(orphans ? "no orphans" : "no shared memory segments");
        } else {
            (creator || pids || times ? columns(items, users) : table(items, users, me)).print(out);
            items.stream().filter(item -> !item.isSysV() && !item.scan().complete()).findFirst().ifPresent(item ->
                    out.println("(" + item.scan().unreadable() + (item.scan().unreadable() == 1 ? " process" : " processes")
                            + " could not be read, such as other users': POSIX ATTACH N+ counts those that could)"));
        }
        out.flush();
        return ExitStatus.OK;
    }

    private String size(long size) {
        return bytes ? Long.toString(size) : Sizes.human(size);
    }

    /** The table of {@code --creator}, {@code --pids} and {@code --times}: what ipcs -c, -p and -t show, together. */
    private Table columns(List<Inventory.Item> items, Users users) {
        List<String> headers = new ArrayList<>(List.of("KIND", "KEY/NAME", ">ID", "OWNER", "PERMS", ">SIZE"));
        if (creator) {
            headers.addAll(List.of("CUSER", "CGROUP", "USER", "GROUP"));
        }
        if (pids) {
            headers.addAll(List.of(">CPID", ">LPID"));
        }
        if (times) {
            headers.addAll(List.of("ATTACHED", "DETACHED", "CHANGED"));
        }
        Table table = new Table(headers.toArray(String[]::new));
        for (Inventory.Item item : items) {
            SysVStat sysv = item.sysv();
            List<String> row = new ArrayList<>(List.of(item.kind(),
                    sysv != null ? String.format("0x%08x", sysv.key()) : item.posix().name(),
                    sysv != null ? Integer.toString(sysv.shmid()) : "-",
                    users.name(item.uid()), String.format("%03o", item.mode()), size(item.size())));
            if (creator) {
                row.addAll(List.of(sysv != null ? users.name(sysv.cuid()) : "-",
                        sysv != null ? users.group(sysv.cgid()) : "-", users.name(item.uid()),
                        users.group(item.gid())));
            }
            if (pids) {
                row.addAll(List.of(sysv != null ? Long.toString(sysv.cpid()) : "-",
                        sysv != null ? Long.toString(sysv.lpid()) : "-"));
            }
            if (times) {
                row.addAll(List.of(sysv != null ? Times.human(sysv.attachTime()) : "-",
                        sysv != null ? Times.human(sysv.detachTime()) : "-",
                        Times.human(sysv != null ? sysv.changeTime() : item.posix().stat().modifiedTime())));
            }
            table.row(row.toArray(String[]::new));
        }
        return table;
    }

    /** The human table of {@code items}. */
    Table table(List<Inventory.Item> items, Users users, long me) {
        Table table = new Table("KIND", "KEY/NAME", ">ID", "OWNER", "PERMS", ">SIZE", ">ATTACH", "CREATOR", "ATTACHED",
                "CHANGED", "STATUS");
        for (Inventory.Item item : items) {
            List<String> status = new ArrayList<>();
            String creator = "?";
            if (item.isSysV()) {
                if (item.sysv().removed()) {
                    status.add("dest");
                }
                if (item.sysv().locked()) {
                    status.add("locked");
                }
                if (item.sysv().cpid() > 0) {
                    creator = item.sysv().cpid() + (item.creatorAlive() == null ? "" : item.creatorAlive() ? " alive" : " dead");
                }
            }
            if (item.isOrphanOf(me)) {
                status.add("orphan");
            }
            table.row(item.kind(),
                    item.isSysV() ? String.format("0x%08x", item.sysv().key()) : item.posix().name(),
                    item.isSysV() ? Integer.toString(item.sysv().shmid()) : "-",
                    users.name(item.uid()),
                    String.format("%03o", item.mode()),
                    size(item.size()),
                    item.attachmentsText(),
                    creator,
                    item.isSysV() ? Times.human(item.sysv().attachTime()) : "-",
                    Times.human(item.isSysV() ? item.sysv().changeTime() : item.posix().stat().modifiedTime()),
                    String.join(",", status));
        }
        return table;
    }
}
