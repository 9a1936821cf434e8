package dev.jshm;

import static dev.jshm.TestSysV.hexKey;
import static dev.jshm.TestSysV.unusedKey;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.jshm.stat.SysVStat;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * {@link SysVStat} against what util-linux's {@code ipcs} reads from the kernel, field by field.
 * Each test makes the fields differ from one another where it can (owner apart from creator,
 * creator pid apart from last pid), so a field read from the wrong place shows.
 */
class SysVStatIpcsTest {

    private static final long PID = ProcessHandle.current().pid();
    /** ctime(3) as ipcs prints it under LC_ALL=C: {@code Fri Nov  7 12:53:43 2026}. */
    private static final DateTimeFormatter CTIME = DateTimeFormatter.ofPattern("EEE MMM ppd HH:mm:ss yyyy", Locale.ENGLISH);

    @RegisterExtension
    final TestSysV.Cleanup cleanup = new TestSysV.Cleanup();

    @Test
    void freshSegmentMatchesIpcs() {
        SysVSegment segment = cleanup.add(SysVSegment.builder().key(unusedKey()).size(5000).mode(0640).create());
        SysVStat stat = segment.stat();
        assertEquals(PID, stat.cpid());
        assertEquals(0640, stat.mode());
        assertMatchesIpcs(stat);
    }

    @Test
    void privateSegmentMatchesIpcs() {
        SysVSegment segment = cleanup.add(SysVSegment.createPrivate(4096));
        assertMatchesIpcs(segment.stat());
    }

    @Test
    void changedSegmentMatchesIpcsAtEveryStep() {
        int key = unusedKey();
        SysVSegment segment = cleanup.add(SysVSegment.create(key, 3 * 4096 + 1));
        SysVSegment second = cleanup.add(SysVSegment.open(key, Access.READ_ONLY));
        SysVStat twoAttached = segment.stat();
        assertEquals(2, twoAttached.attachments());
        assertMatchesIpcs(twoAttached);

        second.close();
        SysVStat detached = segment.stat();
        assertEquals(1, detached.attachments());
        assertNotEquals(Instant.EPOCH, detached.detachTime());
        assertMatchesIpcs(detached);

        segment.setMode(0604);
        if (TestShm.isRoot()) {
            // Owner apart from creator, so that swapped fields show.
            segment.setOwner(65534, 65533);
        }
        assertMatchesIpcs(segment.stat());

        try {
            segment.lock();
            SysVStat locked = segment.stat();
            assertTrue(locked.locked());
            assertMatchesIpcs(locked);
            segment.unlock();
        } catch (ShmPermissionException e) {
            // Not root and no CAP_IPC_LOCK: the rest still counts.
        }

        segment.remove();
        SysVStat removed = segment.stat();
        assertTrue(removed.removed());
        assertEquals(0, removed.key());
        assertMatchesIpcs(removed);
    }

    @Test
    void lockedSegmentMatchesIpcs() {
        SysVSegment segment = cleanup.add(SysVSegment.create(unusedKey(), 4096));
        TestSysV.lockOrAbort(segment);
        SysVStat stat = segment.stat();
        assertTrue(stat.locked());
        assertMatchesIpcs(stat);
        assertTrue(ipcsRow(segment.shmid()).status().contains("locked"));
        segment.unlock();
        assertFalse(ipcsRow(segment.shmid()).status().contains("locked"));
        assertMatchesIpcs(segment.stat());
    }

    /**
     * A segment that another program ({@code ipcmk}) created: its creator pid is not ours, and
     * until we attach it has no attachments, no last pid and no attach time.
     */
    @Test
    void segmentCreatedByIpcmkMatchesIpcsBeforeAndAfterJavaAttaches() throws Exception {
        ProcessBuilder builder = new ProcessBuilder("ipcmk", "-M", "8192", "-p", "0604");
        builder.environment().put("LC_ALL", "C");
        builder.redirectErrorStream(true);
        TestProcesses.Result ipcmk = TestProcesses.run(Duration.ofSeconds(30), builder, null);
        String output = ipcmk.out();
        assertEquals(0, ipcmk.exit(), output);
        Matcher id = Pattern.compile("Shared memory id: (\\d+)").matcher(output);
        assertTrue(id.find(), "ipcmk printed: " + output);
        int shmid = Integer.parseInt(id.group(1));
        cleanup.addId(shmid);

        SysVStat created = SysVSegment.statById(shmid);
        assertEquals(ipcmk.pid(), created.cpid(), "ipcmk created it");
        assertEquals(0, created.lpid(), "no one attached yet");
        assertEquals(0, created.attachments());
        assertEquals(Instant.EPOCH, created.attachTime());
        assertEquals(Instant.EPOCH, created.detachTime());
        assertEquals(8192, created.size());
        assertEquals(0604, created.mode());
        assertNotEquals(0, created.key());
        assertMatchesIpcs(created);

        try (SysVSegment segment = SysVSegment.openById(shmid, Access.READ_ONLY)) {
            assertEquals(created.key(), segment.key());
            SysVStat attached = segment.stat();
            assertEquals(ipcmk.pid(), attached.cpid());
            assertEquals(PID, attached.lpid(), "our attach");
            assertEquals(1, attached.attachments());
            assertNotEquals(Instant.EPOCH, attached.attachTime());
            assertMatchesIpcs(attached);
        }
        SysVStat detached = SysVSegment.statById(shmid);
        assertEquals(0, detached.attachments());
        assertNotEquals(Instant.EPOCH, detached.detachTime());
        assertMatchesIpcs(detached);
    }

    // ---- ipcs ----------------------------------------------------------------------------------

    /** Every field that {@code ipcs -m -i} and {@code ipcs -m} show. */
    private static void assertMatchesIpcs(SysVStat stat) {
        Map<String, String> info = ipcsInfo(stat.shmid());
        String context = "ipcs -m -i " + stat.shmid() + ": " + info + " vs " + stat;
        assertEquals(stat.uid(), Long.parseLong(info.get("uid")), context);
        assertEquals(stat.gid(), Long.parseLong(info.get("gid")), context);
        assertEquals(stat.cuid(), Long.parseLong(info.get("cuid")), context);
        assertEquals(stat.cgid(), Long.parseLong(info.get("cgid")), context);
        int rawMode = stat.mode() | (stat.removed() ? 01000 : 0) | (stat.locked() ? 02000 : 0);
        assertEquals(rawMode, Integer.parseInt(info.get("mode"), 8), context);
        assertEquals(stat.mode(), Integer.parseInt(info.get("access_perms"), 8), context);
        assertEquals(stat.size(), Long.parseLong(info.get("bytes")), context);
        assertEquals(stat.cpid(), Long.parseLong(info.get("cpid")), context);
        assertEquals(stat.lpid(), Long.parseLong(info.get("lpid")), context);
        assertEquals(stat.attachments(), Long.parseLong(info.get("nattch")), context);
        assertEquals(stat.attachTime(), ctime(info.get("att_time")), context);
        assertEquals(stat.detachTime(), ctime(info.get("det_time")), context);
        assertEquals(stat.changeTime(), ctime(info.get("change_time")), context);

        IpcsRow row = ipcsRow(stat.shmid());
        String rowContext = "ipcs -m row " + row + " vs " + stat;
        assertEquals(hexKey(stat.key()), row.key(), rowContext);
        assertEquals(Integer.toOctalString(stat.mode()), row.perms(), rowContext);
        assertEquals(stat.size(), row.bytes(), rowContext);
        assertEquals(stat.attachments(), row.nattch(), rowContext);
        assertEquals(stat.removed(), row.status().contains("dest"), rowContext);
        assertEquals(stat.locked(), row.status().contains("locked"), rowContext);
    }

    /**
     * {@code ipcs -m -i SHMID} as a map. Its lines look like
     * {@code uid=0<TAB>gid=0<TAB>cuid=0<TAB>cgid=0}, {@code mode=0600<TAB>access_perms=0600},
     * {@code bytes=4096<TAB>lpid=12<TAB>cpid=12<TAB>nattch=1} and {@code att_time=Not set}.
     */
    private static Map<String, String> ipcsInfo(int shmid) {
        String output = TestSysV.ipcs("-m", "-i", Integer.toString(shmid));
        assertTrue(output.contains("shmid=" + shmid), output);
        Map<String, String> fields = new HashMap<>();
        for (String line : output.split("\n")) {
            if (line.matches("(att|det|change)_time=.*")) {
                int eq = line.indexOf('=');
                fields.put(line.substring(0, eq), line.substring(eq + 1).trim());
                continue;
            }
            for (String part : line.split("\t")) {
                int eq = part.indexOf('=');
                if (eq > 0) {
                    fields.put(part.substring(0, eq).trim(), part.substring(eq + 1).trim());
                }
            }
        }
        for (String name : List.of("uid", "gid", "cuid", "cgid", "mode", "access_perms", "bytes", "lpid", "cpid",
                "nattch", "att_time", "det_time", "change_time")) {
            assertNotNull(fields.get(name), "no " + name + " in ipcs output:\n" + output);
        }
        return fields;
    }

    /** One row of {@code ipcs -m}: key, shmid, owner, perms, bytes, nattch and the status words. */
    private record IpcsRow(String key, String perms, long bytes, long nattch, String status) {
    }

    private static IpcsRow ipcsRow(int shmid) {
        String output = TestSysV.ipcs("-m");
        for (String line : output.split("\n")) {
            String[] columns = line.trim().split("\\s+");
            if (columns.length >= 6 && columns[0].startsWith("0x") && columns[1].equals(Integer.toString(shmid))) {
                String status = String.join(" ", Arrays.asList(columns).subList(6, columns.length));
                return new IpcsRow(columns[0], columns[3], Long.parseLong(columns[4]), Long.parseLong(columns[5]), status);
            }
        }
        return fail("shmid " + shmid + " is not in ipcs -m:\n" + output);
    }

    /** ipcs prints times with ctime(3) in the local zone: it runs with TZ=UTC. */
    private static Instant ctime(String text) {
        if (text.equals("Not set")) {
            return Instant.EPOCH;
        }
        return LocalDateTime.parse(text, CTIME).toInstant(ZoneOffset.UTC);
    }
}
