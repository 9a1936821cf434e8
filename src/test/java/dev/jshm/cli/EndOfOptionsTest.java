package dev.jshm.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

import dev.jshm.PosixSegment;
import picocli.CommandLine;

/**
 * {@code --} after a command: where the command takes no data it separates nothing, so the
 * options after it count as if it were not there ({@code pingpong -- --seconds 3} and
 * {@code demo -- --json} as without it); where the command takes data it ends the options, and a
 * known option after it is reported as such, never with itself as the suggestion.
 */
class EndOfOptionsTest {

    record Run(int status, String out, String err) {
    }

    private static Run run(String input, String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int status = Main.run(args, new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8),
                new ByteArrayInputStream(input.getBytes(StandardCharsets.UTF_8)));
        return new Run(status, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    @Test
    void optionsAfterEndOfOptionsCountForACommandWithoutData() {
        Run run = run("after the marker\n", "demo", "--", "--json");
        assertEquals(0, run.status(), run::toString);
        assertEquals("", run.err(), run::toString);
        Map<String, Object> json = JsonParser.object(run.out());
        assertEquals("after the marker", json.get("text"), run::toString);

        Run verbose = run("again\n", "--verbose", "demo", "--", "--json");
        assertEquals(0, verbose.status(), verbose::toString);
        assertEquals("again", JsonParser.object(verbose.out()).get("text"), verbose::toString);
    }

    @Test
    void endOfOptionsKeepsItsMeaningWhereACommandTakesData() {
        String name = "/jshm-end-of-options-" + ProcessHandle.current().pid();
        try (PosixSegment segment = PosixSegment.create(name, 64)) {
            try {
                Run written = run("", "write", "--name", name, "--", "--json");
                assertEquals(0, written.status(), written::toString);
                assertEquals("--json", segment.getString(0), "the text after -- is data");
            } finally {
                segment.unlink();
            }
        }
    }

    @Test
    void aKnownOptionAfterEndOfOptionsIsNotSuggestedToItself() {
        Run run = run("", "write", "--name", "/jshm-never-opened", "--", "text", "--offset");
        assertEquals(2, run.status(), run::toString);
        assertTrue(run.err().startsWith("jshm: '--offset' comes after '--', which ends the options: give it before '--'"),
                run::toString);
        assertFalse(run.err().contains("did you mean"), run::toString);
    }

    @Test
    void onlyTheMarkerOfACommandWithoutDataIsDropped() {
        CommandLine commandLine = Main.commandLine(InputStream.nullInputStream());
        assertEquals(List.of("--verbose", "pingpong", "--seconds", "1", "--"), List.of(Main.withoutNeedlessEndOfOptions(
                commandLine, new String[] {"--verbose", "pingpong", "--", "--seconds", "1", "--"})));
        for (String[] kept : new String[][] {{"write", "--name", "/x", "--", "--json"}, {"bench", "--", "-n"},
            {"--", "list"}, {"unknown", "--", "--json"}}) {
            assertEquals(List.of(kept), List.of(Main.withoutNeedlessEndOfOptions(commandLine, kept)));
        }
    }
}
