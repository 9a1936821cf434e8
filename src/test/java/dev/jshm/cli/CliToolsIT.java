package dev.jshm.cli;

import static dev.jshm.cli.JshmRunner.assertFailure;
import static dev.jshm.cli.JshmRunner.assertOk;
import static dev.jshm.cli.JshmRunner.hex;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.math.BigInteger;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.Test;

import dev.jshm.cli.JshmRunner.Run;

/** {@code doctor}, {@code watch}, {@code bench}, {@code pingpong} and the {@code jshm} launcher, run as users run them. */
class CliToolsIT extends CliItBase {

    @Test
    void doctorShowsTheLimitsTheKernelHas() throws IOException {
        int key = jshm.newKey();
        jshm.shmidOf(jshm.jshm("create", "--key", hex(key), "--size", "4096"));

        String text = assertOk(jshm.jshm("doctor"));
        for (String row : List.of("kernel.shmmax ", "kernel.shmall ", "kernel.shmmni ", "kernel.shm_rmid_forced ",
                "System V in use ", "POSIX in use ", "/dev/shm ", "vm.nr_hugepages ", "huge pages ", "RLIMIT_MEMLOCK ",
                "IPC namespace ", "\nWhat would fail, and why:\n  - ")) {
            assertTrue(text.contains(row), row + " in\n" + text);
        }
        assertTrue(text.contains("kernel.shmmni\n") || text.contains("kernel.shmmni"), text);

        Map<String, Object> json = JsonParser.object(assertOk(jshm.jshm("doctor", "--json")));
        Map<String, Object> limits = map(json, "limits");
        assertEquals(number("/proc/sys/kernel/shmmax"), big(limits.get("shmmax")));
        assertEquals(number("/proc/sys/kernel/shmmni"), big(limits.get("shmmni")));
        assertEquals(number("/proc/sys/kernel/shm_rmid_forced"), big(limits.get("shmRmidForced")));
        Map<String, Object> shmall = map(limits, "shmall");
        assertEquals(number("/proc/sys/kernel/shmall"), big(shmall.get("pages")));
        assertEquals(big(shmall.get("pages")).multiply(big(limits.get("pageSize"))), big(shmall.get("bytes")));
        Map<String, Object> usage = map(json, "usage");
        assertTrue((Long) usage.get("sysvSegments") >= 1, usage::toString);
        assertTrue((Long) usage.get("sysvBytes") >= 4096, usage::toString);
        Map<String, Object> devShm = map(json, "devShm");
        assertEquals("/dev/shm", devShm.get("path"));
        assertEquals(Files.getFileStore(Path.of("/dev/shm")).getTotalSpace(), devShm.get("total"));
        assertEquals(number("/proc/sys/vm/nr_hugepages"), big(map(json, "hugePages").get("nrHugepages")));
        assertEquals(Files.readSymbolicLink(Path.of("/proc/self/ns/ipc")).toString(), json.get("ipcNamespace"));
        assertNotNull(map(json, "memlock").get("capIpcLock"));
        @SuppressWarnings("unchecked")
        List<String> notes = (List<String>) json.get("notes");
        assertTrue(notes.stream().anyMatch(n -> n.startsWith("huge pages: ")), notes::toString);
        assertTrue(notes.stream().anyMatch(n -> n.startsWith("/dev/shm is ")), notes::toString);
        assertTrue(notes.stream().anyMatch(n -> n.contains("kernel.shmmax")), notes::toString);
    }

    @Test
    void watchRefreshesAsOftenAsAsked() {
        int key = jshm.newKey();
        String k = hex(key);
        jshm.shmidOf(jshm.jshm("create", "--key", k, "--size", "32"));
        jshm.jshm("write", "--key", k, "tick");

        String twice = assertOk(jshm.jshm("watch", "--key", k, "--count", "2", "--interval", "10", "--length", "16"));
        List<String> lines = twice.lines().toList();
        assertEquals(4, lines.size(), twice);
        assertTrue(lines.get(0).startsWith("jshm watch sysv:key=" + k + "  refresh 1/2  "), twice);
        assertTrue(lines.get(2).startsWith("jshm watch sysv:key=" + k + "  refresh 2/2  "), twice);
        assertEquals("00000000: 7469 636b 0000 0000 0000 0000 0000 0000  tick............", lines.get(1));
        assertEquals(lines.get(1), lines.get(3));
        assertFalse(twice.contains("\033["), "no ANSI when stdout is not a terminal");

        String stat = assertOk(jshm.jshm("watch", "--key", k, "--stat", "--count", "2", "--interval", "0"));
        assertEquals(2, stat.lines().filter(l -> l.startsWith("jshm watch ")).count(), stat);
        assertEquals(2, stat.lines().filter(l -> l.matches("attachments: +0")).count(), "--stat does not attach:\n" + stat);

        String json = assertOk(jshm.jshm("watch", "--key", k, "--json", "--count", "2", "--interval", "0", "--length", "4"));
        List<String> records = json.lines().toList();
        assertEquals(2, records.size(), json);
        for (int i = 0; i < 2; i++) {
            Map<String, Object> o = JsonParser.object(records.get(i));
            assertEquals(i + 1L, o.get("refresh"));
            assertEquals("7469636b", o.get("hex"));
        }
        assertFailure(jshm.jshm("watch", "--key", k, "--count", "0"), 2, "--count");
    }

    /** Under a pseudo terminal (script(1)), each refresh clears the screen first. */
    @Test
    void watchClearsAScreen() {
        Path script = Path.of("/usr/bin/script");
        assumeTrue(Files.isExecutable(script), "needs script(1) for a pseudo terminal");
        int key = jshm.newKey();
        String k = hex(key);
        jshm.shmidOf(jshm.jshm("create", "--key", k, "--size", "16"));
        String command = String.join(" ", JshmRunner.javaJar("watch", "--key", k, "--count", "2", "--interval", "0"));
        Run run = jshm.run(List.of(script.toString(), "-qec", command, "/dev/null"), new byte[0], workDir, Map.of());
        assertEquals(0, run.exit(), run::toString);
        assertEquals(2, run.out().split("\033\\[H\033\\[2J", -1).length - 1, run::toString);
    }

    @Test
    void benchRunsMakeInACheckoutAndPassesItsStatusOn() throws IOException {
        Path repo = Files.createDirectories(scratch.resolve("repo/bench"));
        Files.writeString(repo.resolve("pom.xml"), "<project/>\n");
        Files.writeString(repo.getParent().resolve("Makefile"),
                ".PHONY: bench\nbench:\n\t@echo benchmark running in $(CURDIR) with $(EXTRA)\n\t@exit 3\n");

        Run run = jshm.jshm("bench", "--repo", repo.getParent().toString(), "EXTRA=x");
        assertEquals(2, run.exit(), "make's status for a failed recipe: " + run);
        assertTrue(run.out().startsWith("benchmark running in " + repo.getParent() + " with x\n"), run::toString);
        assertTrue(run.err().contains("Error 3"), run::toString);

        assertFailure(jshm.jshm("bench"), 2, workDir + " is not a jshm checkout (no Makefile and no bench/pom.xml)");
        Files.delete(repo.resolve("pom.xml"));
        assertFailure(jshm.jshm("bench", "--repo", repo.getParent().toString()), 2, "(no bench/pom.xml)", "--repo DIR");
    }

    @Test
    void pingpongRunsAnEchoProcessAndPrintsPercentiles() {
        JshmRunner.Run run = jshm.jshm("pingpong", "--seconds", "1", "--idle", "yield");
        assertEquals(0, run.exit(), run::toString);
        for (String line : List.of("round trips: ", "round trips/s", "rtt p50:", "rtt p99:", "rtt p99.9:")) {
            assertTrue(run.out().contains(line), line + " in\n" + run);
        }
        Matcher trips = Pattern.compile("round trips: (\\d+) in").matcher(run.out());
        assertTrue(trips.find() && Long.parseLong(trips.group(1)) > 0, run::toString);
    }

    @Test
    void pingpongRefusesBadOptionsWithUsage() {
        JshmRunner.Run run = jshm.jshm("pingpong", "--idle", "sideways");
        assertEquals(2, run.exit(), run::toString);
        assertTrue(run.err().contains("--idle sideways must be spin, yield or futex"), run::toString);
    }

    @Test
    void theLauncherScriptRunsTheJarNextToIt() {
        Path root = JshmRunner.JAR.toAbsolutePath().getParent().getParent();
        Path launcher = root.resolve("jshm");
        assertTrue(Files.isExecutable(launcher), launcher + " is executable");
        Run run = jshm.run(List.of(launcher.toString(), "--version"), new byte[0], workDir, Map.of());
        assertEquals(0, run.exit(), run::toString);
        assertTrue(run.out().startsWith("jshm "), run::toString);
        Run failing = jshm.run(List.of(launcher.toString(), "read", "--key", "zz"), new byte[0], workDir, Map.of());
        assertFailure(failing, 2, "'zz' is not a 32-bit key");
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> map(Map<String, Object> json, String field) {
        return (Map<String, Object>) json.get(field);
    }

    private static BigInteger big(Object number) {
        return number instanceof BigInteger b ? b : BigInteger.valueOf((Long) number);
    }

    private static BigInteger number(String procFile) throws IOException {
        return new BigInteger(Files.readAllLines(Path.of(procFile)).get(0).trim());
    }
}
