package dev.jshm.cli;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

import dev.jshm.PosixSegment;
import dev.jshm.SegmentLocator;
import dev.jshm.SysVSegment;
import dev.jshm.stat.PosixObjectInfo;
import dev.jshm.stat.SysVStat;

/**
 * Every segment of both kinds, as {@code list} shows them and {@code reap} judges them: the
 * library's listings ({@link SysVSegment#list()}, {@link PosixSegment#list()}), with who uses each
 * POSIX object ({@link ProcScan}) and whether each System V creator still runs.
 */
final class Inventory {

    /** Which kinds to take. */
    enum Kinds {
        ALL, SYSV, POSIX;

        boolean sysv() {
            return this != POSIX;
        }

        boolean posix() {
            return this != SYSV;
        }
    }

    /**
     * One segment. Exactly one of {@code sysv} and {@code posix} is set; for POSIX, {@code mappers}
     * are the processes that map it and {@code users} those that map it or hold it open.
     */
    record Item(SysVStat sysv, PosixObjectInfo posix, Set<Long> mappers, Set<Long> users, ProcScan scan,
                Boolean creatorAlive) {

        boolean isSysV() {
            return sysv != null;
        }

        String kind() {
            return isSysV() ? "sysv" : "posix";
        }

        /** {@code sysv:id=N} (ids are exact; a key may be shared by nothing or changed) or {@code posix:/name}. */
        SegmentLocator locator() {
            return isSysV() ? SegmentLocator.sysvId(sysv.shmid()) : SegmentLocator.posix(posix.name());
        }

        long uid() {
            return isSysV() ? sysv.uid() : posix.stat().uid();
        }

        long gid() {
            return isSysV() ? sysv.gid() : posix.stat().gid();
        }

        int mode() {
            return isSysV() ? sysv.mode() : posix.stat().mode();
        }

        long size() {
            return isSysV() ? sysv.size() : posix.stat().size();
        }

        /** nattch for System V; for POSIX the processes seen mapping it, a lower bound unless the scan was complete. */
        long attachments() {
            return isSysV() ? sysv.attachments() : mappers.size();
        }

        boolean attachmentsExact() {
            return isSysV() || scan.complete();
        }

        /**
         * As a table shows it: the number; {@code N+} when some processes could not be read (at
         * least N map it); {@code ?} when none could.
         */
        String attachmentsText() {
            if (isSysV() || scan.complete()) {
                return Long.toString(attachments());
            }
            return scan.read() == 0 ? "?" : attachments() + "+";
        }

        /**
         * Whether this segment is an orphan of user {@code uid}: owned by that user and used by
         * no one. System V: no attachment, not yet removed, and its creator process has ended.
         * POSIX: no process maps it or holds it open; when not every process could be read, only
         * an object that no other user may open (no group or other permission bits) counts.
         */
        boolean isOrphanOf(long uid) {
            if (uid() != uid) {
                return false;
            }
            if (isSysV()) {
                return sysv.attachments() == 0 && !sysv.removed() && Boolean.FALSE.equals(creatorAlive);
            }
            return users.isEmpty() && scan.read() > 0 && (scan.complete() || (posix.stat().mode() & 066) == 0);
        }

        /** The fields of {@code list --json} for this segment (see {@link ListCommand}). */
        Map<String, Object> json(Users users, long me) {
            Map<String, Object> o = Json.object();
            o.put("kind", kind());
            o.put("locator", locator().toString());
            o.put("key", isSysV() ? String.format("0x%08x", sysv.key()) : null);
            o.put("id", isSysV() ? (Object) sysv.shmid() : null);
            o.put("name", isSysV() ? null : posix.name());
            o.put("path", isSysV() ? null : posix.path().toString());
            o.put("owner", users.name(uid()));
            o.put("uid", uid());
            o.put("gid", gid());
            o.put("creatorUid", isSysV() ? (Object) sysv.cuid() : null);
            o.put("creatorGid", isSysV() ? (Object) sysv.cgid() : null);
            o.put("perms", String.format("0%03o", mode()));
            o.put("size", size());
            o.put("attachments", attachments());
            o.put("attachmentsExact", attachmentsExact());
            o.put("mappedBy", isSysV() ? null : new ArrayList<>(mappers));
            o.put("usedBy", isSysV() ? null : new ArrayList<>(this.users));
            o.put("creatorPid", isSysV() ? (Object) sysv.cpid() : null);
            o.put("creatorAlive", creatorAlive);
            o.put("lastPid", isSysV() ? (Object) sysv.lpid() : null);
            o.put("attachTime", isSysV() ? Times.json(sysv.attachTime()) : null);
            o.put("detachTime", isSysV() ? Times.json(sysv.detachTime()) : null);
            o.put("changeTime", isSysV() ? Times.json(sysv.changeTime()) : null);
            o.put("modifiedTime", isSysV() ? null : Times.json(posix.stat().modifiedTime()));
            o.put("removed", isSysV() && sysv.removed());
            o.put("locked", isSysV() && sysv.locked());
            o.put("orphan", isOrphanOf(me));
            return o;
        }
    }

    private Inventory() {
    }

    /** The segments of {@code kinds} now: System V by shmid, then POSIX by name. */
    static List<Item> take(Kinds kinds) {
        List<Item> items = new ArrayList<>();
        if (kinds.sysv()) {
            for (SysVStat stat : SysVSegment.list()) {
                items.add(new Item(stat, null, null, null, null, creatorAlive(stat.cpid())));
            }
        }
        if (kinds.posix()) {
            List<PosixObjectInfo> objects = PosixSegment.list();
            ProcScan scan = objects.isEmpty() ? null : ProcScan.system();
            for (PosixObjectInfo object : objects) {
                items.add(new Item(null, object, scan.mappers(object.stat()), scan.users(object.stat()), scan, null));
            }
        }
        return items;
    }

    /** Whether process {@code pid} runs; null when the kernel gave no pid (0) or it cannot be told. */
    static Boolean creatorAlive(long pid) {
        if (pid <= 0) {
            return null;
        }
        try {
            Optional<ProcessHandle> process = ProcessHandle.of(pid);
            return process.map(ProcessHandle::isAlive).orElse(false);
        } catch (SecurityException | UnsupportedOperationException e) {
            return null;
        }
    }
}
