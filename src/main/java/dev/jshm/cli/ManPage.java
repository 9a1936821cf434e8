package dev.jshm.cli;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import picocli.CommandLine;
import picocli.CommandLine.Help;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;
import picocli.CommandLine.Model.PositionalParamSpec;
import picocli.CommandLine.Model.UsageMessageSpec;

/**
 * The manual page {@code jshm(1)} in roff, written from the same picocli command model that parses
 * the command line and prints {@code --help}, so the two never disagree. The build runs
 * {@link #main} and the jar carries the page as {@value #RESOURCE}; read it with
 * {@code unzip -p jshm.jar META-INF/man/man1/jshm.1 | man -l -}.
 */
public final class ManPage {

    /** Where the page lies in the jar. */
    static final String RESOURCE = "META-INF/man/man1/jshm.1";

    private final StringBuilder out = new StringBuilder();

    private ManPage() {
    }

    /** Writes the page to the file named by the one argument. */
    public static void main(String[] args) throws IOException {
        if (args.length != 1) {
            throw new IllegalArgumentException("usage: ManPage OUTPUT_FILE");
        }
        Path file = Path.of(args[0]);
        Files.createDirectories(file.toAbsolutePath().getParent());
        Files.writeString(file, render(Main.commandLine(InputStream.nullInputStream())), StandardCharsets.UTF_8);
    }

    /** The page of {@code top} and its subcommands. */
    static String render(CommandLine top) {
        ManPage page = new ManPage();
        page.page(top.getCommandSpec());
        return page.out.toString();
    }

    private void page(CommandSpec top) {
        String version = top.version().length > 0 ? top.version()[0] : "";
        line(".TH JSHM 1 \"\" " + quoted(version) + " \"User Commands\"");
        line(".SH NAME");
        line(text("jshm - Linux shared memory from the shell: System V segments, POSIX objects and mapped files"));
        line(".SH SYNOPSIS");
        synopsis(top);
        line(".SH DESCRIPTION");
        paragraphs(top.usageMessage().description());
        options(top);
        line(".SH COMMANDS");
        for (Map.Entry<String, CommandLine> sub : top.subcommands().entrySet()) {
            CommandSpec spec = sub.getValue().getCommandSpec();
            if (spec.usageMessage().hidden() || !spec.name().equals(sub.getKey())) {
                continue;
            }
            line(".SS " + quoted("jshm " + spec.name()));
            synopsis(spec);
            paragraphs(spec.usageMessage().header());
            paragraphs(spec.usageMessage().description());
            options(spec);
        }
        UsageMessageSpec usage = top.usageMessage();
        line(".SH EXIT STATUS");
        for (Map.Entry<String, String> code : usage.exitCodeList().entrySet()) {
            line(".TP");
            line(text(code.getKey().strip()));
            line(text(code.getValue()));
        }
        line(".SH NOTES");
        paragraphs(usage.footer());
        line(".SH SEE ALSO");
        line(text("ipcs(1), ipcmk(1), ipcrm(1), shmget(2), shmctl(2), shm_open(3), shm_overview(7)"));
    }

    private void synopsis(CommandSpec spec) {
        Help help = new Help(spec, Help.defaultColorScheme(Help.Ansi.OFF));
        line(".PP");
        line(".nf");
        line(text(help.synopsis(0).strip()));
        line(".fi");
    }

    private void paragraphs(String[] lines) {
        for (String paragraph : lines) {
            if (!paragraph.isBlank()) {
                line(".PP");
                line(text(String.format(paragraph.replace("%", "%%").replace("%%n", "%n")).strip()));
            }
        }
    }

    private void options(CommandSpec spec) {
        List<OptionSpec> options = spec.options();
        List<PositionalParamSpec> positionals = spec.positionalParameters();
        if (options.isEmpty() && positionals.isEmpty()) {
            return;
        }
        line(spec.parent() == null ? ".SH OPTIONS" : ".PP");
        for (PositionalParamSpec positional : positionals) {
            line(".TP");
            line("\\fI" + text(positional.paramLabel()) + "\\fR");
            line(text(String.join(" ", positional.description())));
        }
        for (OptionSpec option : options) {
            if (option.hidden()) {
                continue;
            }
            line(".TP");
            String names = String.join(", ", option.names());
            String label = option.typeInfo().isBoolean() ? "" : " \\fI" + text(option.paramLabel()) + "\\fR";
            line("\\fB" + text(names) + "\\fR" + label);
            line(text(interpolate(option, String.join(" ", option.description()))));
        }
    }

    private static String interpolate(OptionSpec option, String description) {
        String candidates = "";
        if (option.completionCandidates() != null) {
            candidates = String.join(", ", option.completionCandidates());
        }
        String value = option.defaultValue() == null ? "" : option.defaultValue();
        return description.replace("${DEFAULT-VALUE}", value).replace("${COMPLETION-CANDIDATES}", candidates);
    }

    /** Text as roff prints it: backslashes escaped, hyphens as hyphens, no line taken for a request. */
    static String text(String text) {
        String escaped = text.replace("\\", "\\e").replace("-", "\\-");
        return escaped.startsWith(".") || escaped.startsWith("'") ? "\\&" + escaped : escaped;
    }

    private static String quoted(String text) {
        return "\"" + text(text).replace("\"", "\\(dq") + "\"";
    }

    private void line(String line) {
        out.append(line).append('\n');
    }
}
