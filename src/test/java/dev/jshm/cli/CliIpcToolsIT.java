package dev.jshm.cli;

import static dev.jshm.cli.JshmRunner.assertFailure;
import static dev.jshm.cli.JshmRunner.assertOk;
import static dev.jshm.cli.JshmRunner.assertSuccess;
import static dev.jshm.cli.JshmRunner.hex;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeFalse;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.jar.JarFile;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import dev.jshm.SysVSegment;
import dev.jshm.cli.JshmRunner.Run;
import dev.jshm.stat.SysVStat;

/**
 * The packaged jar against what ipcmk and ipcs give: create with a random key, list's ipcs
 * -c/-p/-t/-b columns and its order; and the tool's own help: summaries, wrapping at any width,
 * suggestions, shell completion, the man page in the jar, demo --json, and hints that match the
 * request.
 */
class CliIpcToolsIT extends CliItBase {

    private static final List<String> COMMANDS = List.of("list", "stat", "create", "write", "read", "rm", "reap", "watch",
            "doctor", "demo", "bench", "pingpong", "completion");

    @Test
    void createWithoutAKeyPicksAFreeRandomKeyAndPrintsKeyAndIdAsIpcmkDoes() {
        Run run = jshm.jshm("create", "--size", "64K", "--mode", "640");
        String out = assertOk(run);
        Matcher printed = Pattern.compile("key (0x[0-9a-f]{8}) id (\\d+)\n").matcher(out);
        assertTrue(printed.matches(), run::toString);
        int shmid = Integer.parseInt(printed.group(2));
        jshm.addShmid(shmid);
        List<String> row = jshm.ipcsRowOfShmid(shmid);
        assertEquals(List.of(printed.group(1), "640", "65536"), List.of(row.get(0), row.get(3), row.get(4)), row::toString);
        assertFalse(printed.group(1).equals("0x00000000"), "never IPC_PRIVATE");

        Map<String, Object> json = JsonParser.object(assertOk(jshm.jshm("create", "--size", "1", "--json")));
        int other = ((Number) json.get("id")).intValue();
        jshm.addShmid(other);
        assertEquals(jshm.ipcsRowOfShmid(other).get(0), json.get("key"));
        assertFailure(jshm.jshm("create", "--size", "1", "--open-or-create"), 2, "--open-or-create needs the --key");
    }

    @Test
    void listShowsWhatIpcsShowsWithCreatorPidsTimesAndBytes() {
        int key = jshm.newKey();
        int shmid = jshm.shmidOf(jshm.jshm("create", "--key", hex(key), "--size", "3000"));
        SysVStat stat = SysVSegment.statById(shmid);
        String table = assertOk(jshm.jshm("list", "--kind", "sysv", "--creator", "--pids", "--times", "--bytes"));
        List<String> lines = table.lines().toList();
        assertEquals(List.of("KIND", "KEY/NAME", "ID", "OWNER", "PERMS", "SIZE", "CUSER", "CGROUP", "USER", "GROUP", "CPID",
                "LPID", "ATTACHED", "DETACHED", "CHANGED"), List.of(lines.get(0).trim().split("\\s+")), table);
        String row = lines.stream().filter(l -> l.contains(hex(key))).findFirst().orElseThrow(() -> new AssertionError(table));
        String me = System.getProperty("user.name");
        // ipcs -c shows the creator's and the owner's user and group by name, as list does.
        Run creators = jshm.run(List.of("ipcs", "-m", "-c"), new byte[0], workDir, Map.of("LC_ALL", "C"));
        String[] ipcsRow = creators.out().lines().map(String::trim).filter(l -> l.startsWith(shmid + " ")).findFirst()
                .orElseThrow(() -> new AssertionError(creators.toString())).split("\\s+");
        String cgroup = ipcsRow[3];
        String group = ipcsRow[5];
        assertEquals(List.of(me, me), List.of(ipcsRow[2], ipcsRow[4]), creators::toString);
        assertTrue(row.matches("sysv +" + hex(key) + " +" + shmid + " +" + me + " +600 +3000 +" + me + " +" + cgroup
                + " +" + me + " +" + group + " +" + stat.cpid() + " +0 +never +never +\\d{4}-\\d\\d-\\d\\d \\S+"), row);
        // ipcs -p shows the same creator pid.
        Run ipcs = jshm.run(List.of("ipcs", "-m", "-p"), new byte[0], workDir, Map.of("LC_ALL", "C"));
        assertTrue(ipcs.out().lines().anyMatch(l -> l.trim().matches(shmid + " +\\S+ +" + stat.cpid() + " +0")), ipcs::toString);
        Map<String, Object> json = JsonParser.object(assertOk(jshm.jshm("list", "--kind", "sysv", "--sort", "id", "--json")));
        @SuppressWarnings("unchecked")
        List<Map<String, Object>> segments = (List<Map<String, Object>>) json.get("segments");
        Map<String, Object> mine = segments.stream().filter(o -> hex(key).equals(o.get("key"))).findFirst().orElseThrow();
        assertEquals(List.of(stat.cuid(), stat.cgid(), stat.cpid(), 0L), List.of(((Number) mine.get("creatorUid")).longValue(),
                ((Number) mine.get("creatorGid")).longValue(), ((Number) mine.get("creatorPid")).longValue(),
                ((Number) mine.get("lastPid")).longValue()), mine::toString);
        List<Long> ids = segments.stream().map(o -> ((Number) o.get("id")).longValue()).toList();
        assertEquals(ids.stream().sorted().toList(), ids, "--sort id orders the JSON too");
        // Without --bytes, sizes as ipcs --human shows them.
        assertTrue(assertOk(jshm.jshm("list", "--kind", "sysv", "-c")).contains(" 2.9K "), "2.9K");
    }

    @Test
    void listSortsByAnyColumnAndReverses() {
        String big = jshm.newName("sort-big");
        String small = jshm.newName("sort-small");
        assertSuccess(jshm.jshm("create", "--name", big, "--size", "8K"), big + "\n");
        assertSuccess(jshm.jshm("create", "--name", small, "--size", "4K"), small + "\n");
        assertTrue(order(assertOk(jshm.jshm("list", "--kind", "posix", "--sort", "size")), small, big));
        assertTrue(order(assertOk(jshm.jshm("list", "--kind", "posix", "--sort", "size", "--reverse")), big, small));
        assertTrue(order(assertOk(jshm.jshm("list", "--kind", "posix", "--sort", "name")), big, small));
        assertFailure(jshm.jshm("list", "--sort", "colour"), 2, "--sort", "expected one of [key, id, name");
    }

    private static boolean order(String table, String first, String second) {
        int a = table.indexOf(first + " ");
        int b = table.indexOf(second + " ");
        assertTrue(a >= 0 && b >= 0, table);
        return a < b;
    }

    @ParameterizedTest
    @ValueSource(ints = {55, 80, 132}) // picocli takes no width below 55
    void helpWrapsCleanlyAtAnyWidthAndSummariesAreSentences(int width) {
        Map<String, String> env = Map.of("COLUMNS", Integer.toString(width));
        Run top = jshm.run(JshmRunner.javaJar("--help"), new byte[0], workDir, env);
        String help = assertOk(top);
        for (String line : help.lines().toList()) {
            assertTrue(line.length() <= width, () -> "line of " + line.length() + " > " + width + ": '" + line + "' in\n" + help);
        }
        String commands = help.substring(help.indexOf("Commands:"), help.indexOf("Exit status:"));
        for (String command : COMMANDS) {
            assertTrue(commands.contains("  " + command + " "), command + " in\n" + commands);
        }
        // Every summary is a sentence: it ends with a full stop, never with the ':' of a cut-off list.
        String[] summaries = commands.substring("Commands:\n".length()).split("\n  (?=\\S)");
        for (String summary : summaries) {
            assertTrue(summary.strip().endsWith("."), () -> "'" + summary + "' in\n" + help);
        }
        for (String command : COMMANDS) {
            String sub = assertOk(jshm.run(JshmRunner.javaJar(command, "--help"), new byte[0], workDir, env));
            for (String line : sub.lines().toList()) {
                assertTrue(line.length() <= width, () -> command + ": '" + line + "' in\n" + sub);
            }
        }
    }

    @Test
    void unknownCommandsAndOptionsGetASuggestion() {
        assertFailure(jshm.jshm("lst"), 2, "unknown command 'lst'; did you mean 'list'?");
        assertFailure(jshm.jshm("craete", "--size", "1"), 2, "unknown command 'craete'; did you mean 'create'?");
        assertFailure(jshm.jshm("create", "--sise", "1M"), 2, "unknown option '--sise'; did you mean '--size'?",
                "(see 'jshm create --help')");
        assertFailure(jshm.jshm("list", "--ower", "root"), 2, "did you mean '--owner'?");
    }

    @Test
    void completionScriptsComeFromTheCommandModelAndLoadInBash() {
        String script = assertOk(jshm.jshm("completion", "bash"));
        for (String command : COMMANDS) {
            assertTrue(script.contains(command), command);
        }
        assertTrue(script.contains("--open-or-create") && script.contains("--sort"), "options of create and list");
        assertEquals(script, assertOk(jshm.jshm("completion", "zsh")), "one script serves both shells");
        Path file = workDir.getParent().resolve(workDir.getFileName() + "-completion.bash");
        try {
            Files.writeString(file, script);
            Run bash = jshm.run(List.of("bash", "-c", "source " + file + " && complete -p jshm"), new byte[0],
                    workDir.getParent(), Map.of());
            assertEquals(0, bash.exit(), bash::toString);
            assertTrue(bash.out().contains(" -F _complete_jshm jshm"), bash::toString);
        } catch (IOException e) {
            throw new AssertionError(e);
        } finally {
            file.toFile().delete();
        }
        assertFailure(jshm.jshm("completion", "fish"), 2, "'fish'", "bash, zsh");
    }

    @Test
    void theJarCarriesAManPageWrittenFromTheSameModel() throws IOException {
        String page;
        try (JarFile jar = new JarFile(JshmRunner.JAR.toFile());
             InputStream in = jar.getInputStream(jar.getEntry("META-INF/man/man1/jshm.1"))) {
            page = new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
        assertTrue(page.startsWith(".TH JSHM 1 "), page);
        for (String command : COMMANDS) {
            assertTrue(page.contains(".SS \"jshm " + command + "\"\n"), command);
        }
        for (String option : List.of("\\-\\-open\\-or\\-create", "\\-\\-from\\-file", "\\-\\-sort", "\\-\\-yes")) {
            assertTrue(page.contains("\\fB" + option) || page.contains(", " + option), option);
        }
        assertTrue(page.contains(".SH EXIT STATUS\n.TP\n0\nsuccess\n"), page);
        Path man = Path.of("/usr/bin/man");
        if (Files.isExecutable(man)) {
            Path file = workDir.getParent().resolve(workDir.getFileName() + "-jshm.1");
            try {
                Files.writeString(file, page);
                Run rendered = jshm.run(List.of(man.toString(), "-l", file.toString()), new byte[0], workDir.getParent(),
                        Map.of("MANPAGER", "cat", "MANWIDTH", "80", "LC_ALL", "C"));
                assertEquals(0, rendered.exit(), rendered::toString);
                assertTrue(rendered.out().contains("jshm create"), rendered::toString);
                assertFalse(rendered.err().contains("warning"), rendered::toString);
            } finally {
                Files.deleteIfExists(file);
            }
        }
    }

    @Test
    void demoPrintsJson() {
        Map<String, Object> json = JsonParser.object(assertOk(jshm.jshmWithInput("hello json\n", "demo", "--json")));
        assertEquals("hello json", json.get("text"));
        @SuppressWarnings("unchecked")
        List<Map<String, Object>> steps = (List<Map<String, Object>>) json.get("steps");
        assertEquals(6, steps.size(), json::toString);
        int shmid = ((Number) json.get("shmid")).intValue();
        assertEquals("shmctl(" + shmid + ", IPC_RMID)", steps.get(5).get("call"));
        assertEquals("removed", steps.get(5).get("result"));
        assertFalse(jshm.ipcsListsShmid(shmid), "removed");
    }

    @Test
    void hintsMatchTheRequest() throws IOException {
        assumeFalse("1".equals(Files.readString(Path.of("/proc/sys/vm/overcommit_memory")).trim()),
                "with vm.overcommit_memory = 1 the kernel makes any size");
        int key = jshm.newKey();
        Run huge = jshm.jshm("create", "--key", hex(key), "--size", "90T");
        assertFailure(huge, 6, "shmget(key=" + hex(key) + ", size=98956046499840", "ENOMEM", "vm.overcommit_memory");
        assertFalse(huge.err().contains("huge page"), huge::toString);
        String doctor = assertOk(jshm.jshm("doctor"));
        assertFalse(doctor.contains("no practical limit"), doctor);
        assertTrue(doctor.contains("kernel.shmmax (") && doctor.contains(") does not limit it")
                || doctor.contains("fails with EINVAL: kernel.shmmax"), doctor);
    }
}
