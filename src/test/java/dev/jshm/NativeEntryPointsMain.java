package dev.jshm;

import dev.jshm.sync.Futex;
import dev.jshm.sync.OwnerDiedException;
import dev.jshm.sync.RobustLock;
import dev.jshm.sync.SignalBlock;
import dev.jshm.sync.WaitResult;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.time.Duration;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;

/**
 * Calls every native method of {@link Native} at least once, through the public API where it
 * reaches them and directly where it does not, including the glue's own refusals: for
 * {@link NativeLibraryTest}, which runs it under {@code -Xcheck:jni} and fails on any warning.
 *
 * <p>Prints {@code native entry points exercised: N/N}; exits 0 when every native was called and
 * every result was as expected, 2 when a native was missed, 1 on a wrong result.
 */
public final class NativeEntryPointsMain {

    private static final Set<String> CALLED = new TreeSet<>();

    private NativeEntryPointsMain() {
    }

    public static void main(String[] args) throws Exception {
        Path file = Files.createTempFile("jshm-ftok-", ".key");
        SysVSegment segment = null;
        SysVSegment reader = null;
        try {
            int key = SysVSegment.ftok(file, 'j');
            called("sysvFtok");
            segment = TestSysV.createWithFreshKey(8192);
            called("sysvCreate", "sysvStat", "sysvAttach", "pageSize", "newDirectBuffer");
            reader = SysVSegment.open(segment.key(), Access.READ_ONLY);
            check(SysVSegment.idOf(segment.key()) == segment.shmid(), "idOf");
            called("sysvOpen");

            segment.setMode(0640);
            segment.setOwner(-1, -1);
            check(segment.stat().mode() == 0640, "setMode");
            called("sysvSet");
            try {
                segment.lock();
                segment.unlock();
            } catch (ShmPermissionException | ShmLimitException e) {
                // Without CAP_IPC_LOCK the call still went through the native and came back as -errno.
            }
            called("sysvLock");

            byte[] hello = {1, 2, 3, 4, 5, 6, 7, 8};
            segment.write(100, hello);
            called("copyFromArray");
            byte[] back = new byte[8];
            reader.read(100, back);
            check(Arrays.equals(hello, back), "read after write");
            called("copyToArray");
            segment.fill(200, 100, (byte) 9);
            check(reader.getByte(299) == 9 && reader.getByte(300) == 0, "fill");
            called("fill");
            segment.putString(1000, "entry points");
            check(reader.getString(1000).equals("entry points"), "getString");
            called("indexOf");
            ByteBuffer view = segment.asByteBuffer(4090, 12);
            view.putInt(0, 0x01020304);
            check(reader.getInt(4090) == 0x01020304, "view");

            // Refused calls: the exception is built from errnoName and strerror.
            try {
                SysVSegment.openById(Integer.MAX_VALUE, Access.READ_WRITE);
                check(false, "openById of a bogus id");
            } catch (ShmException e) {
                check(e.errnoName() != null && e.getMessage().contains("(") && e.getMessage().contains(")"), "message");
            }
            called("errnoName", "strerror");

            // What the API never calls directly: a detach, and an unmap after a retire.
            long address = Native.sysvAttach(segment.shmid(), true);
            check(address > 0, "sysvAttach");
            check(Native.sysvDetach(address) == 0, "sysvDetach");
            called("sysvDetach");
            long pageSize = Native.pageSize();
            long length = (segment.size() + pageSize - 1) / pageSize * pageSize; // all of the attachment
            address = Native.sysvAttach(segment.shmid(), true);
            check(address > 0, "sysvAttach");
            check(Native.retire(address, length) == 0, "retire");
            check(Native.unmap(address, length) == 0, "unmap");
            called("retire", "unmap");

            // The glue's own refusals, which Java's checks never let through.
            check(Native.copyToArray(1, 16, 8, new byte[16], 0, 9) < 0, "copyToArray out of range");
            check(Native.copyFromArray(1, 16, -1, new byte[16], 0, 1) < 0, "copyFromArray negative offset");
            check(Native.fill(1, 16, 0, -1, (byte) 0) < 0, "fill negative length");
            check(Native.indexOf(1, 16, 17, 0, (byte) 0) < 0, "indexOf out of range");
            check(Native.newDirectBuffer(1, -1) == null, "newDirectBuffer negative capacity");
            check(Native.sysvStat(segment.shmid(), new long[1]) < 0, "sysvStat short array");
            check(Native.sysvCreate(SysVSegment.IPC_PRIVATE, -1, 0600, 0) < 0, "sysvCreate negative size");
            check(Native.sysvOpen(key, -1) < 0, "sysvOpen negative size");
            check(Native.retire(address, -1) < 0, "retire negative length");
            // The array side is left to the JVM: an exception, not a crash, and nothing after it.
            try {
                Native.copyToArray(segment.address(), segment.size(), 0, new byte[4], 2, 4);
                check(false, "copyToArray past the array");
            } catch (ArrayIndexOutOfBoundsException expected) {
                // the JVM's own check
            }
            try {
                Native.copyFromArray(segment.address(), segment.size(), 0, new byte[4], -1, 1);
                check(false, "copyFromArray before the array");
            } catch (ArrayIndexOutOfBoundsException expected) {
                // the JVM's own check
            }

            segment.remove();
            called("sysvRemove");
            segment.close();
            called("retire");
            check(reader.stat().attachments() == 1, "close detached");
        } finally {
            if (reader != null) {
                reader.close();
            }
            if (segment != null) {
                segment.close();
                TestSysV.removeQuietly(segment.shmid());
            }
            Files.deleteIfExists(file);
        }

        exercisePosixAndFiles(file.resolveSibling(file.getFileName() + ".map"));
        exerciseCoordination();

        Set<String> natives = Arrays.stream(Native.class.getDeclaredMethods())
                .filter(m -> Modifier.isNative(m.getModifiers())).map(Method::getName)
                .collect(Collectors.toCollection(TreeSet::new));
        Set<String> missed = new TreeSet<>(natives);
        missed.removeAll(CALLED);
        System.out.println("native entry points exercised: " + (natives.size() - missed.size()) + "/" + natives.size());
        if (!missed.isEmpty()) {
            System.out.println("not exercised (add them to NativeEntryPointsMain): " + missed);
            System.exit(2);
        }
        System.exit(0);
    }

    /** The POSIX and mapped-file entry points, through the public API and then their refusals. */
    private static void exercisePosixAndFiles(Path mapped) throws Exception {
        String name = "/jshm-entry-points-" + ProcessHandle.current().pid();
        try (PosixSegment posix = PosixSegment.create(name, 8192)) {
            called("posixOpen", "geteuid", "fileStat", "fileGrow", "map", "faultRegister", "faultWords");
            posix.putLong(0, 1);
            posix.lock();
            posix.unlock();
            called("lockPages");
            posix.resize(16384);
            check(posix.stat().size() == 16384, "posix resize");
            posix.unlink();
            called("posixUnlink");
        }
        called("closeFd");
        try (MappedFileSegment file = MappedFileSegment.create(mapped, 5000)) {
            called("fileOpen");
            file.putInt(4996, 7);
            file.force();
            file.force(0, 100, true);
            called("sync");
        } finally {
            Files.deleteIfExists(mapped);
        }
        check(Native.unlink(FileBacking.nulTerminated(mapped.toString())) == -Errors.ENOENT, "unlink of a missing file");
        called("unlink");
        // The glue's own refusals: a path without its NUL, negative sizes and lengths.
        check(Native.fileOpen(new byte[] {'/', 'x'}, 0, 0600) == -Errors.EINVAL, "fileOpen without NUL");
        check(Native.posixOpen(FileBacking.nulTerminated("/a/b"), 0, 0600) == -Errors.EINVAL, "posixOpen of a bad name");
        check(Native.fileGrow(-1, -1, 0) < 0, "fileGrow negative size");
        check(Native.map(-1, 0, -1, 0) < 0, "map negative length");
        check(Native.map(-1, 1, 4096, 0) == -Errors.EINVAL, "map unaligned offset");
        check(Native.sync(0, -1, false) < 0, "sync negative length");
        check(Native.lockPages(0, -1, true) < 0, "lockPages negative length");
        check(Native.fileStat(-1, new long[Native.FILE_STAT_FIELDS]) == -Errors.EBADF, "fileStat bad descriptor");
        check(Native.closeFd(-1) == -Errors.EBADF, "closeFd bad descriptor");
        // The fault table's refusals (its unregistration runs when a mapping is collected).
        check(Native.faultRegister(0, -1, 0, false) == -Errors.EINVAL, "faultRegister negative length");
        check(Native.faultRegister(8192, 4096, 0, false) == -Errors.EINVAL, "faultRegister origin outside the range");
        check(Native.faultWords().capacity() == (FaultWord.MAX_RANGES + 1) * Long.BYTES,
                "faultWords covers every slot and the replacement count");
        check(Native.faultUnregister(-1) == -Errors.EINVAL && Native.faultUnregister(FaultWord.MAX_RANGES - 1) == -Errors.EINVAL,
                "faultUnregister of a bad or free slot");
        called("faultUnregister");
    }

    /** Atomics (native path), futex and robust lock entry points, through the public API. */
    private static void exerciseCoordination() throws InterruptedException {
        SysVSegment segment = SysVSegment.createPrivate(4096);
        try {
            segment.remove();
            SegmentAtomics atomics = segment.nativeAtomics();
            atomics.putIntVolatile(0, 1);
            atomics.putIntRelease(4, 2);
            check(atomics.getIntVolatile(0) == 1 && atomics.getIntAcquire(4) == 2, "int atomics");
            check(atomics.compareAndSetInt(0, 1, 3) && atomics.getAndAddInt(0, 1) == 3 && atomics.getAndSetInt(0, 9) == 4,
                    "int read-modify-write");
            atomics.putLongVolatile(8, 1);
            atomics.putLongRelease(16, 2);
            check(atomics.getLongVolatile(8) == 1 && atomics.getLongAcquire(16) == 2, "long atomics");
            check(atomics.compareAndSetLong(8, 1, 3) && atomics.getAndAddLong(8, 1) == 3 && atomics.getAndSetLong(8, 9) == 4,
                    "long read-modify-write");
            called("atomicGetIntVolatile", "atomicGetIntAcquire", "atomicPutIntVolatile", "atomicPutIntRelease",
                    "atomicCompareAndSetInt", "atomicGetAndAddInt", "atomicGetAndSetInt", "atomicGetLongVolatile",
                    "atomicGetLongAcquire", "atomicPutLongVolatile", "atomicPutLongRelease", "atomicCompareAndSetLong",
                    "atomicGetAndAddLong", "atomicGetAndSetLong");

            check(Futex.await(segment, 24, 0, Duration.ofMillis(1)) == WaitResult.TIMED_OUT, "futex timeout");
            check(Futex.await(segment, 24, 5, Duration.ofMillis(1)) == WaitResult.VALUE_CHANGED, "futex value changed");
            check(Futex.wake(segment, 24, 1) == 0, "futex wake with no waiter");
            called("futexWait", "futexWake");
            // The signal block registers this process for membarrier when it is initialised, and
            // announcing a sleeper issues one.
            SignalBlock block = new SignalBlock(segment, 32);
            block.announce();
            check(block.sleepers() == 1, "signal block announcement");
            check(block.signal(), "signal block wakes the announced sleeper");
            called("membarrierRegister", "membarrier");

            check(Native.lockSize() == RobustLock.SIZE && Native.lockAlignment() == RobustLock.ALIGNMENT, "lock layout");
            called("lockSize", "lockAlignment");
            RobustLock lock = RobustLock.initialize(segment, 64);
            called("lockInit");
            RobustLock.attach(segment, 64);
            called("lockCheck");
            lock.lock();
            check(lock.isHeldByCurrentThread(), "lock held");
            lock.unlock();
            check(lock.tryLock(), "tryLock");
            lock.unlock();
            check(lock.tryLock(Duration.ofMillis(10)), "tryLock timed");
            lock.unlock();
            called("lockSelf");
            // The free lock was taken and released in Java; make each native acquisition and release run.
            Thread other = new Thread(lock::lock);
            other.start();
            other.join();
            boolean toldOwnerDied = false;
            try {
                lock.lock();
            } catch (OwnerDiedException e) {
                toldOwnerDied = true;
            }
            check(toldOwnerDied, "lock after a thread ended holding it");
            lock.markConsistent();
            check(Native.lockRelease(segment.address(), segment.size(), 64) == 0, "native unlock");
            check(Native.lockTry(segment.address(), segment.size(), 64) == 0, "native trylock");
            check(Native.lockRelease(segment.address(), segment.size(), 64) == 0, "native unlock");
            check(Native.lockAcquireTimed(segment.address(), segment.size(), 64, 1_000_000) == 0, "native timed lock");
            check(Native.lockRelease(segment.address(), segment.size(), 64) == 0, "native unlock");
            called("lockAcquire", "lockHeld", "lockRelease", "lockTry", "lockAcquireTimed");
            check(Native.lockConsistent(segment.address(), segment.size(), 64) < 0, "consistent on a healthy lock");
            called("lockConsistent");
        } finally {
            segment.close();
        }
    }

    private static void called(String... natives) {
        CALLED.addAll(Arrays.asList(natives));
    }

    private static void check(boolean ok, String what) {
        if (!ok) {
            System.out.println("unexpected result: " + what);
            System.exit(1);
        }
    }
}
