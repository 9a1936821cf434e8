package dev.jshm.cli;

import java.io.IOException;
import java.io.PrintWriter;
import java.math.BigInteger;
import java.nio.file.FileStore;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;

import dev.jshm.PosixSegment;
import dev.jshm.ShmException;
import dev.jshm.SysVSegment;
import dev.jshm.stat.PosixObjectInfo;
import dev.jshm.stat.SysVStat;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code jshm doctor}: the limits that decide what shared memory this machine allows, and what would fail. */
@Command(name = "doctor", mixinStandardHelpOptions = true,
        header = "Shows this machine's shared memory limits and what would fail.",
        description = {
            "Shows the limits that decide which segments can be made here and how much of them is used:"
                    + " kernel.shmmax, shmall, shmmni and shm_rmid_forced; System V ids and memory in use;"
                    + " the size and free space of /dev/shm; huge pages; RLIMIT_MEMLOCK; the IPC namespace."
                    + " Then one line for each thing that would fail, and why.",
            "",
            "--json prints {limits: {shmmax, shmall: {pages, bytes}, shmmni, shmRmidForced, pageSize},"
                    + " usage: {sysvSegments, sysvBytes, sysvPages, posixObjects, posixBytes},"
                    + " devShm: {path, type, total, free} | null, hugePages: {nrHugepages, total, free, size},"
                    + " ipcNamespace, memlock: {soft, hard, capIpcLock} (null: unlimited), notes: [text]}."
                    + " A number the kernel did not give is null.",
        })
final class DoctorCommand implements Callable<Integer> {

    /** CAP_IPC_LOCK's bit in /proc/self/status CapEff. */
    private static final int CAP_IPC_LOCK = 14;

    @Spec
    private CommandSpec spec;

    @Option(names = "--json", description = "Print JSON (see above).")
    private boolean json;

    @Override
    public Integer call() {
        long page = SystemInfo.pageSize();
        BigInteger shmmax = SystemInfo.kernel("shmmax");
        BigInteger shmall = SystemInfo.kernel("shmall");
        BigInteger shmmni = SystemInfo.kernel("shmmni");
        BigInteger rmidForced = SystemInfo.kernel("shm_rmid_forced");
        BigInteger shmallBytes = shmall == null ? null : shmall.multiply(BigInteger.valueOf(page));

        List<SysVStat> sysv = sysvOrEmpty();
        long sysvBytes = sysv.stream().mapToLong(SysVStat::size).sum();
        long sysvPages = sysv.stream().mapToLong(s -> (s.size() + page - 1) / page).sum();
        List<PosixObjectInfo> posix = PosixSegment.list();
        long posixBytes = posix.stream().mapToLong(o -> o.stat().size()).sum();

        Map<String, Object> devShm = devShm();
        Map<String, Long> meminfo = SystemInfo.meminfo(SystemInfo.lines(Path.of("/proc/meminfo")));
        BigInteger nrHuge = SystemInfo.unsigned(SystemInfo.first(Path.of("/proc/sys/vm/nr_hugepages")));
        Long hugeTotal = meminfo.get("HugePages_Total");
        Long hugeFree = meminfo.get("HugePages_Free");
        Long hugeSize = meminfo.get("Hugepagesize");
        String namespace = SystemInfo.ipcNamespace();
        long[] memlock = SystemInfo.limit(SystemInfo.lines(Path.of("/proc/self/limits")), "Max locked memory");
        boolean capIpcLock = hasCapability(CAP_IPC_LOCK);

        List<String> notes = new ArrayList<>();
        if (shmmax == null) {
            notes.add("kernel.shmmax cannot be read: System V limits unknown (no /proc/sys/kernel?)");
        } else if (shmmax.compareTo(SystemInfo.UNLIMITED) >= 0) {
            notes.add(commitNote(shmmax, meminfo));
        } else {
            notes.add("creating a System V segment larger than " + Sizes.human(shmmax.longValue()) + " (" + shmmax
                    + " bytes) fails with EINVAL: kernel.shmmax");
        }
        if (shmall != null && shmall.compareTo(SystemInfo.UNLIMITED) < 0) {
            long left = Math.max(0, shmall.longValue() - sysvPages) * page;
            notes.add("System V memory: " + sysvPages + " of " + shmall + " pages used; a new segment larger than "
                    + Sizes.human(left) + " fails with ENOSPC: kernel.shmall");
        }
        if (shmmni != null) {
            notes.add("System V ids: " + sysv.size() + " of " + shmmni + " used; once all are used, shmget fails with"
                    + " ENOSPC: kernel.shmmni" + (sysv.size() * 10L >= shmmni.longValue() * 9 ? " (nearly all used!)" : ""));
        }
        if (devShm == null) {
            notes.add("/dev/shm cannot be read: POSIX shared memory (shm_open) will fail");
        } else {
            long free = (Long) devShm.get("free");
            notes.add("/dev/shm is " + Sizes.human((Long) devShm.get("total")) + " with " + Sizes.human(free)
                    + " free: POSIX objects above " + Sizes.human(free) + " fail at create with ENOSPC (jshm reserves"
                    + " their memory then); System V segments do not count against it");
        }
        if ((hugeTotal == null || hugeTotal == 0) && (nrHuge == null || nrHuge.signum() == 0)) {
            notes.add("huge pages: none configured (vm.nr_hugepages = " + nrHuge + ") -> create --huge-pages"
                    + " (SHM_HUGETLB) fails with ENOMEM");
        } else if (hugeFree != null && hugeSize != null) {
            notes.add("huge pages: " + hugeFree + " of " + hugeTotal + " free, " + Sizes.human(hugeSize) + " each ->"
                    + " SHM_HUGETLB segments up to " + Sizes.human(hugeFree * hugeSize) + ", in multiples of "
                    + Sizes.human(hugeSize));
        }
        if (memlock != null && memlock[0] >= 0) {
            notes.add("locking (SHM_LOCK, mlock) more than " + Sizes.human(memlock[0]) + " fails with ENOMEM or EPERM:"
                    + " RLIMIT_MEMLOCK (ulimit -l)" + (capIpcLock ? "; this process has CAP_IPC_LOCK, which is exempt" : ""));
        }
        if (rmidForced != null) {
            notes.add(rmidForced.signum() == 0
                    ? "kernel.shm_rmid_forced = 0: System V segments outlive their creators until removed; orphans are"
                            + " possible ('jshm reap' removes yours)"
                    : "kernel.shm_rmid_forced = 1: a System V segment is removed when its creator exits while nothing"
                            + " is attached");
        }
        if (namespace != null) {
            notes.add("System V segments are shared only within IPC namespace " + namespace
                    + " (a container usually has its own); POSIX objects within this /dev/shm mount");
        }

        PrintWriter out = spec.commandLine().getOut();
        if (json) {
            Map<String, Object> root = Json.object();
            Map<String, Object> limits = Json.object();
            limits.put("shmmax", shmmax);
            Map<String, Object> all = Json.object();
            all.put("pages", shmall);
            all.put("bytes", shmallBytes);
            limits.put("shmall", all);
            limits.put("shmmni", shmmni);
            limits.put("shmRmidForced", rmidForced);
            limits.put("pageSize", page);
            root.put("limits", limits);
            Map<String, Object> usage = Json.object();
            usage.put("sysvSegments", sysv.size());
            usage.put("sysvBytes", sysvBytes);
            usage.put("sysvPages", sysvPages);
            usage.put("posixObjects", posix.size());
            usage.put("posixBytes", posixBytes);
            root.put("usage", usage);
            root.put("devShm", devShm);
            Map<String, Object> huge = Json.object();
            huge.put("nrHugepages", nrHuge);
            huge.put("total", hugeTotal);
            huge.put("free", hugeFree);
            huge.put("size", hugeSize);
            root.put("hugePages", huge);
            root.put("ipcNamespace", namespace);
            Map<String, Object> lock = Json.object();
            lock.put("soft", memlock == null || memlock[0] < 0 ? null : memlock[0]);
            lock.put("hard", memlock == null || memlock[1] < 0 ? null : memlock[1]);
            lock.put("capIpcLock", capIpcLock);
            root.put("memlock", lock);
            root.put("notes", new ArrayList<>(notes));
            out.println(Json.pretty(root));
            out.flush();
            return ExitStatus.OK;
        }
        Map<String, String> rows = new LinkedHashMap<>();
        rows.put("kernel.shmmax", limit(shmmax, "bytes") + "   largest System V segment");
        rows.put("kernel.shmall", limit(shmall, "pages") + (shmallBytes == null || shmall.compareTo(SystemInfo.UNLIMITED) >= 0
                ? "" : " = " + limit(shmallBytes, "bytes")) + "   all System V segments together");
        rows.put("kernel.shmmni", text(shmmni) + "   System V segment ids");
        rows.put("kernel.shm_rmid_forced", text(rmidForced));
        rows.put("page size", page + " bytes");
        rows.put("System V in use", plural(sysv.size(), "segment") + ", " + Sizes.human(sysvBytes) + " (" + sysvPages + " pages)");
        rows.put("POSIX in use", plural(posix.size(), "object") + ", " + Sizes.human(posixBytes));
        rows.put("/dev/shm", devShm == null ? "not readable" : devShm.get("type") + ", "
                + Sizes.human((Long) devShm.get("total")) + ", " + Sizes.human((Long) devShm.get("free")) + " free");
        rows.put("vm.nr_hugepages", text(nrHuge));
        rows.put("huge pages", (hugeTotal == null ? "?" : hugeTotal) + " total, " + (hugeFree == null ? "?" : hugeFree)
                + " free, " + (hugeSize == null ? "?" : Sizes.human(hugeSize)) + " each");
        rows.put("RLIMIT_MEMLOCK", memlock == null ? "unknown" : memlockText(memlock[0]) + " (hard "
                + memlockText(memlock[1]) + ")" + (capIpcLock ? ", CAP_IPC_LOCK held" : ""));
        rows.put("IPC namespace", namespace == null ? "unknown" : namespace);
        int width = rows.keySet().stream().mapToInt(String::length).max().orElse(0);
        rows.forEach((name, value) -> out.printf("%-" + width + "s  %s%n", name, value));
        out.println();
        out.println("What would fail, and why:");
        notes.forEach(note -> out.println("  - " + note));
        out.flush();
        return ExitStatus.OK;
    }

    private static List<SysVStat> sysvOrEmpty() {
        try {
            return SysVSegment.list();
        } catch (ShmException e) {
            return List.of();
        }
    }

    private static Map<String, Object> devShm() {
        try {
            FileStore store = Files.getFileStore(PosixObjectInfo.DIRECTORY);
            Map<String, Object> o = Json.object();
            o.put("path", PosixObjectInfo.DIRECTORY.toString());
            o.put("type", store.type());
            o.put("total", store.getTotalSpace());
            o.put("free", store.getUsableSpace());
            return o;
        } catch (IOException | RuntimeException e) {
            return null;
        }
    }

    private static boolean hasCapability(int bit) {
        List<String> status = SystemInfo.lines(Path.of("/proc/self/status"));
        if (status != null) {
            for (String line : status) {
                if (line.startsWith("CapEff:")) {
                    return new BigInteger(line.substring(7).trim(), 16).testBit(bit);
                }
            }
        }
        return false;
    }

    private static String limit(BigInteger value, String unit) {
        if (value == null) {
            return "unknown";
        }
        String exact = value + " " + unit;
        if (value.compareTo(SystemInfo.UNLIMITED) >= 0) {
            return "unlimited (" + exact + ")";
        }
        return unit.equals("bytes") && value.longValue() >= 1024 ? Sizes.human(value.longValue()) + " (" + exact + ")" : exact;
    }

    private static String plural(long n, String noun) {
        return n + " " + noun + (n == 1 ? "" : "s");
    }

    private static String text(BigInteger value) {
        return value == null ? "unknown" : value.toString();
    }

    private static String memlockText(long value) {
        return value < 0 ? "unlimited" : Sizes.human(value);
    }

    /**
     * What limits a System V segment when kernel.shmmax does not: the memory the kernel may commit,
     * as vm.overcommit_memory decides (0: one request above memory and swap is refused; 2: above
     * what is left of CommitLimit; 1: nothing at create, the OOM killer later).
     */
    static String commitNote(BigInteger shmmax, Map<String, Long> meminfo) {
        String mode = SystemInfo.first(Path.of("/proc/sys/vm/overcommit_memory"));
        Long memory = meminfo.get("MemTotal");
        Long swap = meminfo.get("SwapTotal");
        Long commitLimit = meminfo.get("CommitLimit");
        Long committed = meminfo.get("Committed_AS");
        String shmmaxText = "kernel.shmmax (" + shmmax + ") does not limit it";
        if ("2".equals(mode) && commitLimit != null && committed != null) {
            long left = Math.max(0, commitLimit - committed);
            return "System V segment size: " + shmmaxText + "; a new segment larger than " + Sizes.human(left)
                    + " (CommitLimit less Committed_AS) fails with ENOMEM: vm.overcommit_memory = 2";
        }
        if (memory == null) {
            return "System V segment size: " + shmmaxText + "; the memory the kernel may commit does (see /proc/meminfo)";
        }
        long total = memory + (swap == null ? 0 : swap);
        if ("1".equals(mode)) {
            return "System V segment size: " + shmmaxText + " and vm.overcommit_memory = 1 refuses no size at create;"
                    + " touching more than memory and swap (" + Sizes.human(total) + ") gets processes killed";
        }
        return "System V segment size: " + shmmaxText + "; a segment larger than memory and swap ("
                + Sizes.human(total) + ") fails with ENOMEM: vm.overcommit_memory = " + (mode == null ? "?" : mode);
    }
}
