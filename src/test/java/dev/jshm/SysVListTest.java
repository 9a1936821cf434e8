package dev.jshm;

import static dev.jshm.TestSysV.hexKey;
import static dev.jshm.TestSysV.unusedKey;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jshm.stat.SysVStat;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@link SysVSegment#list()}: the kernel's table {@code /proc/sysvipc/shm} parsed field by field,
 * checked against fixed text, against {@code IPC_STAT} and against {@code ipcs -m}.
 */
class SysVListTest {

    /** A 64-bit kernel's table: a keyed segment, a negative key, a removed and a locked one. */
    private static final List<String> SAMPLE = List.of(
            "       key      shmid perms                  size  cpid  lpid nattch   uid   gid  cuid  cgid      atime"
                    + "      dtime      ctime                   rss                  swap",
            "1246953472         12   640                  5000   101   102      1  1000  1001  1002  1003 1700000001"
                    + " 1700000002 1700000003                  8192                     0",
            "-1246953472         13   600                  4096   201     0      0     0     0     0     0          0"
                    + "          0 1700000004                     0                     0",
            "         0         14  1600                   100   301   302      2    10    20    30    40 1700000005"
                    + " 1700000006 1700000007                  4096                     0",
            "        77          9  2666            1073741824   401   402      0     5     6     7     8          0"
                    + " 1700000008 1700000009                     0                  4096");

    @RegisterExtension
    final TestSysV.Cleanup cleanup = new TestSysV.Cleanup();

    @TempDir
    Path dir;

    @Test
    void everyColumnLandsInItsField() {
        List<SysVStat> list = SysVListing.parse(SAMPLE, "sample");

        assertEquals(List.of(9, 12, 13, 14), list.stream().map(SysVStat::shmid).toList(), "sorted by shmid");
        assertEquals(new SysVStat(0x4a530000, 12, 5000, 0640, 1000, 1001, 1002, 1003, 101, 102, 1,
                Instant.ofEpochSecond(1700000001), Instant.ofEpochSecond(1700000002), Instant.ofEpochSecond(1700000003),
                false, false), list.get(1));
        SysVStat negative = list.get(2);
        assertEquals(0xb5ad0000, negative.key());
        assertEquals("0xb5ad0000", hexKey(negative.key()));
        assertEquals(Instant.EPOCH, negative.attachTime());
        assertEquals(0, negative.lpid());
        SysVStat removed = list.get(3);
        assertTrue(removed.removed());
        assertFalse(removed.locked());
        assertEquals(0600, removed.mode(), "SHM_DEST is not a permission bit");
        assertEquals(2, removed.attachments());
        SysVStat locked = list.get(0);
        assertTrue(locked.locked());
        assertFalse(locked.removed());
        assertEquals(0666, locked.mode());
        assertEquals(1L << 30, locked.size());
    }

    @Test
    void columnsAreFoundByName() {
        // An older kernel without rss and swap, and one with a column jshm does not know, in front.
        List<String> old = SAMPLE.stream().map(line -> line.replaceAll("\\s+\\S+\\s+\\S+$", "")).toList();
        assertEquals(SysVListing.parse(SAMPLE, "sample"), SysVListing.parse(old, "old"));
        List<String> extra = new ArrayList<>();
        extra.add("new " + SAMPLE.get(0));
        SAMPLE.subList(1, SAMPLE.size()).forEach(line -> extra.add("7 " + line));
        assertEquals(SysVListing.parse(SAMPLE, "sample"), SysVListing.parse(extra, "extra"));
        assertEquals(List.of(), SysVListing.parse(SAMPLE.subList(0, 1), "header only"));
    }

    @Test
    void textInAnotherFormatIsRefusedNamingTheLine() {
        IllegalStateException noColumn = assertThrows(IllegalStateException.class,
                () -> SysVListing.parse(List.of("key shmid perms"), "short"));
        assertTrue(noColumn.getMessage().contains("no column 'size'"), noColumn.getMessage());
        List<String> garbled = new ArrayList<>(SAMPLE);
        garbled.set(2, garbled.get(2).replace("600", "6x0"));
        IllegalStateException notNumeric = assertThrows(IllegalStateException.class,
                () -> SysVListing.parse(garbled, "garbled"));
        assertTrue(notNumeric.getMessage().startsWith("garbled line 3 "), notNumeric.getMessage());
        assertThrows(IllegalStateException.class, () -> SysVListing.parse(List.of(), "empty"));
    }

    @Test
    void aMissingTableIsAShmException() {
        ShmException e = assertThrows(ShmException.class, () -> SysVListing.read(dir.resolve("shm")));
        assertTrue(e.getMessage().contains("does not exist"), e.getMessage());
    }

    @Test
    void aTableFileIsReadWhole() throws IOException {
        Path file = Files.write(dir.resolve("shm"), SAMPLE, StandardCharsets.US_ASCII);
        assertEquals(SysVListing.parse(SAMPLE, "sample"), SysVListing.read(file));
    }

    /** The real table: each of this test's segments is listed exactly as IPC_STAT and ipcs -m show it. */
    @Test
    void listAgreesWithIpcStatAndIpcs() throws Exception {
        SysVSegment keyed = cleanup.add(SysVSegment.builder().key(unusedKey()).size(5000).mode(0640).create());
        SysVSegment priv = cleanup.add(SysVSegment.createPrivate(4096));
        SysVSegment removed = cleanup.add(SysVSegment.create(unusedKey(), 100));
        SysVSegment second = cleanup.add(SysVSegment.openById(removed.shmid(), Access.READ_ONLY));
        removed.remove();
        int ipcmk = ipcmk(8192);
        SysVSegment negative = cleanup.add(SysVSegment.create(0xb5ac0000 | (unusedKey() & 0xffff), 64));

        List<Integer> ours = List.of(keyed.shmid(), priv.shmid(), removed.shmid(), ipcmk, negative.shmid());
        Map<Integer, SysVStat> listed = SysVSegment.list().stream()
                .collect(Collectors.toMap(SysVStat::shmid, Function.identity()));
        Map<Integer, List<String>> ipcs = ipcsRows();
        for (int shmid : ours) {
            SysVStat entry = listed.get(shmid);
            assertEquals(SysVSegment.statById(shmid), entry, "shmid " + shmid);
            List<String> row = ipcs.get(shmid);
            assertEquals(hexKey(entry.key()), row.get(0), "key of " + shmid);
            assertEquals(Integer.toOctalString(entry.mode()), row.get(3), "perms of " + shmid);
            assertEquals(Long.toString(entry.size()), row.get(4), "bytes of " + shmid);
            assertEquals(Long.toString(entry.attachments()), row.get(5), "nattch of " + shmid);
            assertEquals(entry.removed(), row.subList(6, row.size()).contains("dest"), "status of " + shmid);
        }
        assertTrue(listed.get(removed.shmid()).removed());
        assertEquals(0, listed.get(removed.shmid()).key());
        assertEquals(2, listed.get(removed.shmid()).attachments());
        assertTrue(listed.get(negative.shmid()).key() < 0);
        assertEquals(0, listed.get(ipcmk).attachments());
        second.close();
    }

    @Test
    void aRemovedSegmentLeavesTheList() {
        SysVSegment segment = SysVSegment.createPrivate(4096);
        int shmid = segment.shmid();
        segment.remove();
        assertTrue(SysVSegment.list().stream().anyMatch(s -> s.shmid() == shmid), "attached: still listed");
        segment.close();
        assertFalse(SysVSegment.list().stream().anyMatch(s -> s.shmid() == shmid), "gone with its last attachment");
    }

    /** A segment made by another process, which never attached it. */
    private int ipcmk(long size) throws Exception {
        Process process = new ProcessBuilder("ipcmk", "-M", Long.toString(size), "-p", "0600").redirectErrorStream(true).start();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(process.waitFor(30, TimeUnit.SECONDS), "ipcmk did not finish");
        Matcher id = Pattern.compile("Shared memory id: (\\d+)").matcher(output);
        assertTrue(id.find(), output);
        int shmid = Integer.parseInt(id.group(1));
        cleanup.addId(shmid);
        return shmid;
    }

    /** {@code ipcs -m} rows by shmid: key, shmid, owner, perms, bytes, nattch, status words. */
    private static Map<Integer, List<String>> ipcsRows() throws Exception {
        ProcessBuilder builder = new ProcessBuilder("ipcs", "-m").redirectErrorStream(true);
        builder.environment().put("LC_ALL", "C");
        Process process = builder.start();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(process.waitFor(30, TimeUnit.SECONDS), "ipcs did not finish");
        return output.lines().map(String::trim).filter(l -> l.startsWith("0x"))
                .map(l -> Arrays.asList(l.split("\\s+")))
                .collect(Collectors.toMap(row -> Integer.parseInt(row.get(1)), row -> row));
    }
}
