package dev.jshm.cli;

import static dev.jshm.cli.JshmRunner.assertFailure;
import static dev.jshm.cli.JshmRunner.assertOk;
import static dev.jshm.cli.JshmRunner.assertSuccess;
import static dev.jshm.cli.JshmRunner.hex;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import dev.jshm.Access;
import dev.jshm.PosixSegment;
import dev.jshm.Segment;
import dev.jshm.SysVSegment;
import dev.jshm.cli.JshmRunner.Run;

/**
 * {@code list}, {@code rm} of several segments and {@code reap}, run as the packaged jar and
 * checked against {@code ipcs -m} and {@code ls -l /dev/shm}. Other processes on the machine may
 * have segments of their own: the tests look only at theirs, and {@code reap} is always given the
 * test's own segments (only {@code --dry-run} runs unrestricted).
 */
class CliInventoryIT extends CliItBase {

    private static final long PID = ProcessHandle.current().pid();

    private final List<Segment> held = new ArrayList<>();

    /** Runs before {@link CliItBase#removeWhatTheTestMade()}, so that what it removes is detached. */
    @AfterEach
    void releaseHeldSegments() {
        held.forEach(Segment::close);
    }

    private <T extends Segment> T hold(T segment) {
        held.add(segment);
        return segment;
    }

    @Test
    void listShowsWhatIpcsAndLsShow() {
        int key = jshm.newKey();
        int keyed = jshm.shmidOf(jshm.jshm("create", "--key", hex(key), "--size", "5000", "--mode", "640"));
        int made = jshm.ipcmk(8192, "0600");
        int attached = hold(SysVSegment.createPrivate(100)).shmid();
        jshm.addShmid(attached);
        String plain = jshm.newName("plain");
        assertSuccess(jshm.jshm("create", "--name", plain, "--size", "3000", "--mode", "644"), plain + "\n");
        String mapped = jshm.newName("mapped");
        hold(PosixSegment.create(mapped, 4096));

        Map<String, Object> json = JsonParser.object(assertOk(jshm.jshm("list", "--json")));
        Map<Integer, List<String>> ipcs = jshm.ipcsRows();
        Map<String, List<String>> ls = jshm.lsDevShm();
        Map<Object, Map<String, Object>> sysv = new HashMap<>();
        Map<Object, Map<String, Object>> posix = new HashMap<>();
        for (Map<String, Object> segment : segments(json)) {
            (segment.get("kind").equals("sysv") ? sysv : posix).put(
                    segment.get("kind").equals("sysv") ? segment.get("id") : segment.get("name"), segment);
        }

        for (int shmid : List.of(keyed, made, attached)) {
            Map<String, Object> segment = sysv.get((long) shmid);
            assertNotNull(segment, shmid + " in " + json);
            List<String> row = ipcs.get(shmid);
            assertEquals(row.get(0), segment.get("key"), "key of " + shmid);
            assertEquals(row.get(2), segment.get("owner"), "owner of " + shmid);
            assertEquals(row.get(3), Integer.toOctalString(Integer.parseInt(((String) segment.get("perms")), 8)));
            assertEquals(Long.parseLong(row.get(4)), segment.get("size"), "bytes of " + shmid);
            assertEquals(Long.parseLong(row.get(5)), segment.get("attachments"), "nattch of " + shmid);
            assertEquals("sysv:id=" + shmid, segment.get("locator"));
            assertEquals(true, segment.get("attachmentsExact"));
        }
        assertEquals(hex(key), sysv.get((long) keyed).get("key"));
        assertEquals("0640", sysv.get((long) keyed).get("perms"));
        assertEquals(false, sysv.get((long) keyed).get("creatorAlive"), "jshm create has ended");
        assertEquals(true, sysv.get((long) keyed).get("orphan"));
        assertEquals(1L, sysv.get((long) attached).get("attachments"));
        assertEquals(PID, sysv.get((long) attached).get("creatorPid"));
        assertEquals(true, sysv.get((long) attached).get("creatorAlive"));
        assertEquals(false, sysv.get((long) attached).get("orphan"));
        assertEquals(null, sysv.get((long) made).get("attachTime"), "never attached");

        for (String name : List.of(plain, mapped)) {
            Map<String, Object> object = posix.get(name);
            assertNotNull(object, name + " in " + json);
            List<String> row = ls.get(name.substring(1));
            assertEquals(row.get(4), object.get("size").toString(), "size of " + name);
            assertEquals(row.get(2), object.get("owner"), "owner of " + name);
            assertEquals(row.get(0).substring(1), ModeConverter.symbolic(Integer.parseInt((String) object.get("perms"), 8)));
            assertEquals("/dev/shm" + name, object.get("path"));
        }
        assertEquals(3000L, posix.get(plain).get("size"));
        assertEquals(List.of(), posix.get(plain).get("mappedBy"));
        assertEquals(0L, posix.get(plain).get("attachments"));
        assertEquals(List.of(PID), posix.get(mapped).get("mappedBy"));
        assertEquals(1L, posix.get(mapped).get("attachments"));
        assertEquals(false, posix.get(mapped).get("orphan"));
        assertEquals(null, posix.get(mapped).get("creatorPid"));

        String table = assertOk(jshm.jshm("list"));
        List<String> lines = table.lines().toList();
        assertTrue(lines.get(0).matches("KIND +KEY/NAME +ID +OWNER +PERMS +SIZE +ATTACH +CREATOR +ATTACHED +CHANGED +STATUS"),
                table);
        String keyedRow = row(lines, hex(key));
        // create is a bare shmget: never attached. (A process that ends during the scan makes ATTACH "1+".)
        assertTrue(keyedRow.matches("sysv +" + hex(key) + " +" + keyed + " +\\S+ +640 +4\\.9K +0 +\\d+ dead +never +"
                + "\\S+ \\S+ +orphan"), keyedRow);
        assertTrue(row(lines, mapped).matches("posix +" + mapped + " +- +\\S+ +600 +4K +1\\+? +\\? +- +\\S+ \\S+"),
                row(lines, mapped));
        int sizeEnd = lines.get(0).indexOf("SIZE") + 4;
        assertEquals(sizeEnd, keyedRow.indexOf("4.9K") + 4, "SIZE is right-aligned:\n" + table);

        Set<Object> kinds = segments(JsonParser.object(assertOk(jshm.jshm("list", "--kind", "posix", "--json")))).stream()
                .map(s -> s.get("kind")).collect(Collectors.toSet());
        assertEquals(Set.of("posix"), kinds);
        List<Map<String, Object>> mine = segments(JsonParser.object(assertOk(jshm.jshm("list", "--kind", "sysv", "--owner",
                System.getProperty("user.name"), "--json"))));
        assertTrue(mine.stream().allMatch(s -> s.get("kind").equals("sysv")));
        assertTrue(mine.stream().anyMatch(s -> s.get("id").equals((long) keyed)));
        assertTrue(segments(JsonParser.object(assertOk(jshm.jshm("list", "--owner", "4294967294", "--json")))).isEmpty());
        assertFailure(jshm.jshm("list", "--owner", "no-such-user-here"), 2, "--owner no-such-user-here: no such user");
        assertFailure(jshm.jshm("list", "--kind", "files"), 2, "--kind");
    }

    @Test
    void rmRemovesSeveralAndSaysWhichItRefused() throws IOException {
        int[] keys = {jshm.newKey(), jshm.newKey(), jshm.newKey(), jshm.newKey()};
        int[] ids = new int[keys.length];
        for (int i = 0; i < keys.length; i++) {
            ids[i] = jshm.shmidOf(jshm.jshm("create", "--key", hex(keys[i]), "--size", "64"));
        }
        hold(SysVSegment.open(keys[1], Access.READ_ONLY));
        String a = jshm.newName("a");
        String b = jshm.newName("b");
        for (String name : List.of(a, b)) {
            jshm.jshm("create", "--name", name, "--size", "64");
        }
        Path file = Files.write(scratch.resolve("data"), new byte[64]);
        String missing = jshm.newName("missing");

        Run run = jshm.jshm("rm", "--key", hex(keys[0]), "--key", hex(keys[1]), "--name", a, "sysv:key=" + hex(keys[2]),
                "posix:" + b, "file:" + file, "posix:" + missing);

        assertEquals(7, run.exit(), run::toString);
        assertEquals("removed sysv:key=" + hex(keys[0]) + " (shmid " + ids[0] + ")\n"
                + "removed posix:" + a + "\n"
                + "removed sysv:key=" + hex(keys[2]) + " (shmid " + ids[2] + ")\n"
                + "removed posix:" + b + "\n"
                + "removed file:" + file + "\n", run.out());
        List<String> errors = run.err().lines().toList();
        assertEquals(2, errors.size(), run::toString);
        assertEquals("jshm: rm sysv:key=" + hex(keys[1]) + ": refused: shmid " + ids[1] + " is still attached by 1 process"
                + " (last pid " + PID + "); use --force to remove it anyway (it goes when the last one detaches)",
                errors.get(0));
        assertTrue(errors.get(1).startsWith("jshm: rm posix:" + missing + ": shm_unlink(name=" + missing + ") failed: ENOENT"),
                errors.get(1));
        Map<Integer, List<String>> ipcs = jshm.ipcsRows();
        assertFalse(ipcs.containsKey(ids[0]) || ipcs.containsKey(ids[2]), ipcs::toString);
        assertTrue(ipcs.containsKey(ids[1]) && ipcs.containsKey(ids[3]), ipcs::toString);
        assertFalse(Files.exists(file));
        assertFalse(jshm.lsDevShm().containsKey(a.substring(1)) || jshm.lsDevShm().containsKey(b.substring(1)));

        // Bad arguments remove nothing.
        assertFailure(jshm.jshm("rm", "--key", hex(keys[3]), "bogus:thing"), 2, "invalid segment locator \"bogus:thing\"");
        assertFailure(jshm.jshm("rm", "sysv:key=0"), 2, "IPC_PRIVATE");
        assertFailure(jshm.jshm("rm"), 2, "nothing to remove");
        assertTrue(jshm.ipcsRows().containsKey(ids[3]));

        Map<String, Object> json = JsonParser.object(jshm.jshm("rm", "--force", "--json", "--id",
                Integer.toString(ids[1]), "sysv:id=" + ids[3], "posix:" + missing).out());
        assertEquals(List.of(Map.of("target", "sysv:id=" + ids[1], "kind", "sysv"),
                Map.of("target", "sysv:id=" + ids[3], "kind", "sysv")), json.get("removed"));
        @SuppressWarnings("unchecked")
        List<Map<String, Object>> failed = (List<Map<String, Object>>) json.get("failed");
        assertEquals(1, failed.size());
        assertEquals("posix:" + missing, failed.get(0).get("target"));
        assertEquals(3L, failed.get(0).get("status"));
        Map<Integer, List<String>> after = jshm.ipcsRows();
        assertTrue(after.get(ids[1]).contains("dest"), "removed, waiting for our detach: " + after.get(ids[1]));
        assertFalse(after.containsKey(ids[3]));
    }

    @Test
    void reapRemovesExactlyTheOrphans() {
        int orphan = jshm.ipcmk(4096, "0600");
        int attached = jshm.ipcmk(4096, "0600");
        hold(SysVSegment.openById(attached, Access.READ_ONLY));
        int creatorAlive = SysVSegment.builder().size(4096).createUnattached();
        jshm.addShmid(creatorAlive);
        String orphanName = jshm.newName("orphan");
        assertSuccess(jshm.jshm("create", "--name", orphanName, "--size", "4096"), orphanName + "\n");
        String mapped = jshm.newName("mapped");
        hold(PosixSegment.create(mapped, 4096));
        List<String> ours = List.of("sysv:id=" + orphan, "sysv:id=" + attached, "sysv:id=" + creatorAlive,
                "posix:" + orphanName, "posix:" + mapped);

        String dryRun = assertOk(jshm.jshm("reap", "--dry-run"));
        assertTrue(dryRun.contains("would remove sysv:id=" + orphan + " (key "), dryRun);
        assertTrue(dryRun.contains("would remove posix:" + orphanName + " (4K, mapped and held open by no process)\n"),
                dryRun);
        for (String other : List.of("sysv:id=" + attached + " ", "sysv:id=" + creatorAlive + " ", "posix:" + mapped + " ")) {
            assertFalse(dryRun.contains(other), other + " in " + dryRun);
        }
        assertTrue(jshm.ipcsRows().containsKey(orphan), "dry run removed nothing");

        List<String> args = new ArrayList<>(List.of("reap", "--dry-run", "--json"));
        args.addAll(ours);
        Map<String, Object> json = JsonParser.object(assertOk(jshm.jshm(args.toArray(String[]::new))));
        assertEquals(true, json.get("dryRun"));
        assertEquals(List.of("sysv:id=" + orphan, "posix:" + orphanName),
                segments(json, "orphans").stream().map(s -> s.get("locator")).toList());
        assertEquals(List.of(), json.get("removed"));

        args = new ArrayList<>(List.of("reap"));
        args.addAll(ours);
        String reaped = assertOk(jshm.jshm(args.toArray(String[]::new)));
        assertEquals(List.of("removed sysv:id=" + orphan, "removed posix:" + orphanName, "reaped 2 segments, 8K"),
                reaped.lines().map(l -> l.replaceAll(" \\(.*\\)$", "")).toList(), reaped);
        Map<Integer, List<String>> ipcs = jshm.ipcsRows();
        assertFalse(ipcs.containsKey(orphan), "the orphan is gone");
        assertTrue(ipcs.containsKey(attached) && ipcs.containsKey(creatorAlive), "the others stay: " + ipcs.keySet());
        Map<String, List<String>> ls = jshm.lsDevShm();
        assertFalse(ls.containsKey(orphanName.substring(1)));
        assertTrue(ls.containsKey(mapped.substring(1)));

        args.set(0, "reap");
        assertSuccess(jshm.jshm(args.toArray(String[]::new)), "no orphans\n");
        assertFailure(jshm.jshm("reap", "file:/tmp/x"), 2, "files are never orphans");
        String orphans = assertOk(jshm.jshm("list", "--orphans", "--json"));
        for (String locator : ours) {
            assertFalse(orphans.contains("\"" + locator + "\""), locator + " in " + orphans);
        }
    }

    @SuppressWarnings("unchecked")
    private static List<Map<String, Object>> segments(Map<String, Object> json) {
        return segments(json, "segments");
    }

    @SuppressWarnings("unchecked")
    private static List<Map<String, Object>> segments(Map<String, Object> json, String field) {
        return (List<Map<String, Object>>) json.get(field);
    }

    private static String row(List<String> lines, String first) {
        return lines.stream().filter(l -> l.contains(" " + first + " ")).findFirst()
                .orElseThrow(() -> new AssertionError(first + " not in " + lines));
    }
}
