package dev.jshm.cli;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;

import dev.jshm.PosixSegment;
import dev.jshm.SegmentLocator;
import dev.jshm.ShmPermissionException;
import dev.jshm.SysVSegment;
import dev.jshm.SysVStat;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

/** {@code jshm rm}: removes segments, refusing System V segments that are still attached. */
@Command(name = "rm", mixinStandardHelpOptions = true,
        description = {
            "Removes one or more segments, named by options (repeatable: --key K1 --key K2 --name /a)"
                    + " or by locators (sysv:key=0x162e, sysv:id=5, posix:/orders, file:/path):",
            "  System V: shmctl(IPC_RMID). The key is free at once; the memory goes when the last process"
                    + " detaches. A segment that is still attached (nattch > 0) is refused unless --force.",
            "  POSIX: shm_unlink. Processes that map the object keep it until they unmap it.",
            "  file: deletes the file; a symbolic link is refused (jshm never follows one).",
            "Prints one 'removed LOCATOR' line per removed segment; each refusal or failure is one 'jshm:'"
                    + " line on standard error. The exit status is that of the first failure (7 for a refusal),"
                    + " or 0 when all were removed. Bad arguments remove nothing.",
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

    @Option(names = "--force", description = "Remove System V segments even while processes have them attached.")
    private boolean force;

    @Option(names = "--json", description = "Print JSON (see above).")
    private boolean json;

    @Override
    public Integer call() {
        List<Target> targets = new ArrayList<>();
        selectors.forEach(selector -> targets.add(selector.target()));
        locators.forEach(text -> targets.add(Target.parse(text)));
        if (targets.isEmpty()) {
            throw new IllegalArgumentException("nothing to remove: name segments with --key, --id, --name, --file"
                    + " or locators (see 'jshm rm --help')");
        }
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
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
            } catch (RuntimeException | IOException e) {
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
            out.flush();
        }
        return status;
    }

    /** Removes one target; answers how to show it ({@code sysv:key=0x.. (shmid 5)}). */
    private String remove(Target target) throws IOException {
        switch (target.kind()) {
            case SYSV_KEY, SYSV_ID -> {
                int shmid = target.sysvId();
                refuseIfAttached(target, shmid);
                SysVSegment.removeById(shmid);
                return target + (target.kind() == SegmentLocator.Kind.SYSV_KEY ? " (shmid " + shmid + ")" : "");
            }
            case POSIX -> {
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
        if (stat.attachments() > 0 && !force) {
            throw new RefusedException("refused: shmid " + shmid + " is still attached by " + stat.attachments()
                    + (stat.attachments() == 1 ? " process" : " processes") + " (last pid " + stat.lpid()
                    + "); use --force to remove it anyway (it goes when the last one detaches)");
        }
    }

    /** Deletes a regular file; a symbolic link or anything else is refused, as the library refuses to map them. */
    private static void deleteFile(Path path) throws IOException {
        BasicFileAttributes attributes = Files.readAttributes(path, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
        if (attributes.isSymbolicLink()) {
            throw new ShmPermissionException(path + " is a symbolic link; jshm never follows or removes one"
                    + " (remove the link itself with rm(1) if you mean to)", "unlink(path=" + path + ")", 0, null);
        }
        if (!attributes.isRegularFile()) {
            throw new IllegalArgumentException(path + " is not a regular file, so not a mapped file segment");
        }
        Files.delete(path);
    }
}
