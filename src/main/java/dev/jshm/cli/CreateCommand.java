package dev.jshm.cli;

import java.util.concurrent.Callable;

import dev.jshm.SysVSegment;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code jshm create}: a new System V segment; prints its shmid. */
@Command(name = "create", mixinStandardHelpOptions = true,
        description = {
            "Creates a System V segment (shmget with IPC_CREAT|IPC_EXCL) and prints its shmid.",
            "Key 0 (IPC_PRIVATE) makes a private segment that only its shmid reaches (use --id).",
        })
final class CreateCommand implements Callable<Integer> {

    @Spec
    private CommandSpec spec;

    @Option(names = "--key", required = true, paramLabel = "KEY", converter = KeyConverter.class,
            description = "System V key: " + KeyConverter.FORMS + ".")
    private int key;

    @Option(names = "--size", required = true, paramLabel = "BYTES", description = "Size in bytes, at least 1.")
    private long size;

    @Option(names = "--mode", paramLabel = "OCTAL", converter = ModeConverter.class, defaultValue = "600",
            description = "Permission bits in octal, as chmod takes them (default: ${DEFAULT-VALUE}).")
    private int mode;

    @Option(names = "--open-or-create",
            description = "Open the key's segment if it exists (it must be at least --size bytes)"
                    + " instead of failing with EEXIST.")
    private boolean openOrCreate;

    @Override
    public Integer call() {
        SysVSegment.Builder builder = SysVSegment.builder().key(key).size(size).mode(mode);
        if (openOrCreate) {
            builder.openOrCreate();
        }
        // A bare shmget: attaching here would change the attach time and last pid for nothing.
        spec.commandLine().getOut().println(builder.createUnattached());
        return ExitStatus.OK;
    }
}
