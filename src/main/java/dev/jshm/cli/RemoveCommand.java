package dev.jshm.cli;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;

import dev.jshm.PosixSegment;
import dev.jshm.SegmentLocator;
import dev.jshm.ShmPermissionException;
import dev.jshm.SysVSegment;
import dev.jshm.stat.SysVStat;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

/** {@code jshm rm}: removes segments, refusing System V segments that are still attached. */
@Command(name = "rm", mixinStandardHelpOptions = true,
        header = "Removes segments, or --all of yours; refuses attached ones unless --force.",
        description = {
            "Removes one or more segments, named by options (repeatable: --key K1 --key K2 --name /a)"
                    + " or by locators (sysv:key=0x162e, sysv:id=5, posix:/orders, file:/path).",
            "A System V segment goes with shmctl(IPC_RMID): the key is free at once and the memory goes when"
                    + " the last process detaches. One that is still attached (nattch > 0) is refused unless --force.",
            "A POSIX object goes with shm_unlink: processes that map it keep it until they unmap it. A file is"
                    + " deleted; a symbolic link or any other special file is refused (jshm never follows one).",
            "--all removes every segment you own (--owner for another user's, --kind for one kind), as ipcrm -a"
                    + " does. Attached segments are refused unless --force (POSIX objects count as attached while"
                    + " a process maps them). It lists what it would remove and asks before it acts unless --yes;"
                    + " when standard input is not a terminal it asks no one and refuses: pass --yes.",
            "Prints one 'removed LOCATOR' line per removed segment; each refusal or failure is one 'jshm:'"
                    + " line on standard error. The exit status is that of the first failure (7 for a refusal),"
                    + " or 0 when all were removed. Bad arguments remove nothing; a declined question removes"
                    + " nothing and exits 1.",
            "",
            "--json prints {removed: [{target, kind}], failed: [{target, status, error}]}.",
        })
final class RemoveCommand implements Callable<Integer> {

    @Spec
    private CommandSpec spec;

    @ParentCommand
    private Main main;

    @ArgGroup(exclusive = true, multiplicity = "0..*")
    private List<SegmentSelector> selectors = new ArrayList<>();

    @Parameters(paramLabel = "LOCATOR", arity = "0..*",
            description = "Segments by locator: sysv:key=0x..., sysv:id=N, posix:/name, file:/path.")
    private List<String> locators = new ArrayList<>();

    @Option(names = "--all", description = "Remove every segment you own (or --owner's), of --kind if given.")
    private boolean all;

    @Option(names = "--kind", paramLabel = "KIND", description = "With --all: only this kind, sysv or posix.")
    private ListCommand.Kind kind;

    @Option(names = "--owner", paramLabel = "USER", description = "With --all: this user's segments (a name or a uid)"
            + " instead of yours.")
    private String owner;

    @Option(names = "--yes", description = "With --all: do not ask before removing.")
    private boolean yes;

    @Option(names = "--force", description = "Remove segments even while processes have them attached.")
    private boolean force;

    @Option(names = "--json", description = "Print JSON (see above).")
    private boolean json;

    /** Segments of {@code --all} that processes map, by locator text: refused like attached System V segments. */
    private final Map<String, Integer> posixMappers = new HashMap<>();
    /** The System V segments of {@code --all} as listed, by shmid: an id that names another segment by now is left alone. */
    private final Map<Integer, SysVStat> listed = new HashMap<>();

    @Override
    public Integer call() {
        List<Target> targets = new ArrayList<>();
        selectors.forEach(selector -> targets.add(selector.target()));
        locators.forEach(text -> targets.add(Target.parse(text)));
        if (all && !targets.isEmpty()) {
            throw new IllegalArgumentException("--all removes every segment you own: name no segments with it");
        }
        if (!all && (kind != null || owner != null || yes)) {
            throw new IllegalArgumentException("--kind, --owner and --yes go with --all");
        }
        if (!all && targets.isEmpty()) {
            throw new IllegalArgumentException("nothing to remove: name segments with --key, --id, --name, --file"
                    + " or locators, or give --all (see 'jshm rm --help')");
        }
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        if (all) {
            targets.addAll(everyOwned());
            if (targets.isEmpty()) {
                if (!json) {
                    out.println("no segments to remove");
                }
            } else if (!yes && !confirmed(targets, err)) {
                err.println(FailureHandler.PREFIX + "rm --all: not confirmed; nothing was removed");
                err.flush();
                return ExitStatus.FAILURE;
            }
        }
        List<Object> removed = new ArrayList<>();
        List<Object> failed = new ArrayList<>();
        int status = ExitStatus.OK;
        for (Target target : targets) {
            try {
                String what = remove(target);
                if (!json) {
                    out.println("removed " + what);
                    out.flush();
                }
                Map<String, Object> o = Json.object();
                o.put("target", target.toString());
                o.put("kind", target.kindName());
                removed.add(o);
            } catch (RuntimeException e) {
                int code = ExitStatus.of(e);
                status = status == ExitStatus.OK ? code : status;
                FailureHandler.report(err, "rm " + target + ": ", e, main.verbose());
                Map<String, Object> o = Json.object();
                o.put("target", target.toString());
                o.put("status", code);
                o.put("error", FailureHandler.message(e));
                failed.add(o);
            }
        }
        if (json) {
            Map<String, Object> root = Json.object();
            root.put("removed", removed);
            root.put("failed", failed);
            out.println(Json.pretty(root));
        }
        out.flush();
        return status;
    }

    /** The segments {@code --all} names: the owner's, of the kind asked, not yet removed. */
    private List<Target> everyOwned() {
        long uid = Users.effectiveUid();
        if (owner != null) {
            uid = Users.system().uid(owner).orElseThrow(() -> new IllegalArgumentException("--owner " + owner
                    + ": no such user (give a name from /etc/passwd or a uid)"));
        }
        List<Target> targets = new ArrayList<>();
        for (Inventory.Item item : Inventory.take(kind == null ? Inventory.Kinds.ALL : kind.kinds())) {
            if (item.uid() != uid || (item.isSysV() && item.sysv().removed())) {
                continue;
            }
            Target target = Target.of(item.locator());
            if (item.isSysV()) {
                listed.put(item.sysv().shmid(), item.sysv());
            }
            if (!item.isSysV() && !item.mappers().isEmpty()) {
                posixMappers.put(target.toString(), item.mappers().size());
            }
            targets.add(target);
        }
        return targets;
    }

    /**
     * Lists the targets on standard error and asks; only "y" or "yes" is a yes. Without a terminal
     * on standard input there is no one to ask, so nothing is removed.
     */
    private boolean confirmed(List<Target> targets, PrintWriter err) {
        if (!Terminal.isTerminal(Terminal.STDIN)) {
            throw new IllegalArgumentException("rm --all would remove " + count(targets.size()) + ", but standard"
                    + " input is not a terminal to ask on: pass --yes to remove " + (targets.size() == 1 ? "it" : "them"));
        }
        err.println("rm --all would remove:");
        targets.forEach(target -> err.println("  " + target));
        err.print("Remove " + (targets.size() == 1 ? "this segment" : "these " + count(targets.size()))
                + (force ? ", attached or not" : "") + "? [y/N] ");
        err.flush();
        String answer;
        try {
            answer = new BufferedReader(new InputStreamReader(main.stdin(), StandardCharsets.UTF_8)).readLine();
        } catch (IOException e) {
            answer = null;
        }
        return answer != null && (answer.strip().equalsIgnoreCase("y") || answer.strip().equalsIgnoreCase("yes"));
    }

    private static String count(int segments) {
        return segments + (segments == 1 ? " segment" : " segments");
    }

    /** Removes one target; answers how to show it ({@code sysv:key=0x.. (shmid 5)}). */
    private String remove(Target target) {
        switch (target.kind()) {
            case SYSV_KEY, SYSV_ID -> {
                int shmid = target.sysvId();
                refuseIfAttached(target, shmid);
                SysVSegment.removeById(shmid);
                return target + (target.kind() == SegmentLocator.Kind.SYSV_KEY ? " (shmid " + shmid + ")" : "");
            }
            case POSIX -> {
                Integer mappers = posixMappers.get(target.toString());
                if (mappers != null && !force) {
                    throw new RefusedException("refused: " + mappers + (mappers == 1 ? " process maps" : " processes map")
                            + " it; use --force to remove it anyway (it goes when the last one unmaps it)");
                }
                PosixSegment.unlink(target.posixName());
                return target.toString();
            }
            default -> {
                deleteFile(target.path());
                return target.toString();
            }
        }
    }

    private void refuseIfAttached(Target target, int shmid) {
        SysVStat stat;
        try {
            stat = SysVSegment.statById(shmid);
        } catch (ShmPermissionException e) {
            if (force) {
                return; // cannot see nattch, and told not to care
            }
            throw e;
        }
        SysVStat before = listed.get(shmid);
        if (before != null && (stat.key() != before.key() || stat.cpid() != before.cpid() || stat.uid() != before.uid())) {
            throw new RefusedException("refused: shmid " + shmid + " names another segment than the one listed"
                    + " (key, creator or owner changed); nothing was removed");
        }
        if (stat.attachments() > 0 && !force) {
            throw new RefusedException("refused: shmid " + shmid + " is still attached by " + stat.attachments()
                    + (stat.attachments() == 1 ? " process" : " processes") + " (last pid " + stat.lpid()
                    + "); use --force to remove it anyway (it goes when the last one detaches)");
        }
    }

    /** Deletes a regular file; a symbolic link or anything else is refused, as the library refuses to map them. */
    private static void deleteFile(Path path) {
        LocalFiles.requireRegular("unlink", path);
        try {
            Files.delete(path);
        } catch (IOException e) {
            throw LocalFiles.failure("unlink", path, e);
        }
    }
}
