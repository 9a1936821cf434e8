package dev.jshm.cli;

import java.nio.file.AccessDeniedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.NoSuchFileException;

import dev.jshm.SegmentExistsException;
import dev.jshm.SegmentNotFoundException;
import dev.jshm.ShmInvalidArgumentException;
import dev.jshm.ShmLimitException;
import dev.jshm.ShmPermissionException;
import picocli.CommandLine.ParameterException;

/**
 * The exit status of every command, and the one place that decides which failure gets which.
 * Scripts branch on these numbers, so they never change meaning; the top command's help lists them.
 */
final class ExitStatus {

    /** The command did what it was asked. */
    static final int OK = 0;
    /** Any failure not named below. */
    static final int FAILURE = 1;
    /** The command line or an argument was wrong: picocli refused it, or the library or the kernel (EINVAL) did. */
    static final int USAGE = 2;
    /** The segment does not exist (ENOENT, EIDRM). */
    static final int NOT_FOUND = 3;
    /** This user may not do that (EACCES, EPERM). */
    static final int PERMISSION = 4;
    /** Exclusive creation found a segment already there (EEXIST). */
    static final int EXISTS = 5;
    /** A system limit was reached (ENOMEM, ENOSPC, ...). */
    static final int LIMIT = 6;
    /** {@code rm} refused a System V segment that processes still have attached (use {@code --force}). */
    static final int REFUSED = 7;

    private ExitStatus() {
    }

    /** The exit status for a command that failed with {@code failure}. */
    static int of(Throwable failure) {
        if (failure instanceof LocalFileException e) {
            return e.exitStatus();
        }
        if (failure instanceof RefusedException) {
            return REFUSED;
        }
        if (failure instanceof SegmentNotFoundException || failure instanceof NoSuchFileException) {
            return NOT_FOUND;
        }
        if (failure instanceof ShmPermissionException || failure instanceof AccessDeniedException) {
            return PERMISSION;
        }
        if (failure instanceof SegmentExistsException || failure instanceof FileAlreadyExistsException) {
            return EXISTS;
        }
        if (failure instanceof ShmLimitException) {
            return LIMIT;
        }
        if (failure instanceof ParameterException || failure instanceof IllegalArgumentException
                || failure instanceof IndexOutOfBoundsException || failure instanceof ShmInvalidArgumentException) {
            return USAGE;
        }
        return FAILURE;
    }
}
