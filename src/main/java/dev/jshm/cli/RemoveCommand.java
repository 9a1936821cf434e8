package dev.jshm.cli;

import java.util.concurrent.Callable;

import dev.jshm.SysVSegment;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;

/** {@code jshm rm}: {@code shmctl(IPC_RMID)}. */
@Command(name = "rm", mixinStandardHelpOptions = true,
        description = {
            "Removes the segment (shmctl IPC_RMID). Its key is free at once; the memory goes when"
                    + " the last attached process detaches. Prints nothing on success.",
        })
final class RemoveCommand implements Callable<Integer> {

    @ArgGroup(exclusive = true, multiplicity = "1")
    private SegmentSelector segment;

    @Override
    public Integer call() {
        SysVSegment.removeById(segment.sysvId());
        return ExitStatus.OK;
    }
}
