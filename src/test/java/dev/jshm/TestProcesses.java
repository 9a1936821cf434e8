package dev.jshm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.BufferedReader;
import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.stream.Stream;

/**
 * Other processes in the tests: child JVMs that run a main class of the test sources, C peers,
 * python, and the system's tools. The one way to build a child JVM's command line, to run a
 * process to its end with a time limit (its stdin given, stdout and stderr read at the same
 * time), to talk to one line by line while it runs, and to look for the JVM's crash logs.
 *
 * <p>Public for the ring tests in {@code dev.jshm.ring}.
 */
public final class TestProcesses {

    /** The {@code java} of this JVM: a child runs on the same JDK. */
    public static final String JAVA = ProcessHandle.current().info().command()
            .orElse(Path.of(System.getProperty("java.home"), "bin", "java").toString());

    /** How long {@link Child#waitFor} gives the output readers after the exit, and a kill its process. */
    private static final Duration AFTER_EXIT = Duration.ofSeconds(30);

    private TestProcesses() {
    }

    // ---- where things are --------------------------------------------------------------------

    /** The project's directory (Maven's {@code basedir}; the working directory where it is not set). */
    public static Path basedir() {
        return Path.of(System.getProperty("basedir", System.getProperty("user.dir")));
    }

    /** The Maven {@code target/} directory this test run writes to. */
    public static Path targetDir() {
        return basedir().resolve("target");
    }

    /** The sources of the C core ({@code src/main/c} without the JNI glue), sorted: what a C peer links. */
    public static List<String> cCoreSources() throws IOException {
        try (Stream<Path> sources = Files.list(basedir().resolve("src/main/c"))) {
            return sources.filter(p -> p.toString().endsWith(".c") && !p.getFileName().toString().equals("jshm_jni.c"))
                    .sorted().map(Path::toString).toList();
        }
    }

    // ---- child JVMs ----------------------------------------------------------------------------

    /**
     * The test JVM's class path. Surefire may run the tests from a manifest-only jar; the real
     * path is then in {@code surefire.test.class.path}.
     */
    public static String classPath() {
        String surefire = System.getProperty("surefire.test.class.path");
        return surefire != null && !surefire.isBlank() ? surefire : System.getProperty("java.class.path");
    }

    /** Whether {@link #classPath()} holds the test classes at all (a sanity check for the tests). */
    public static boolean seesTestClasses() {
        for (String entry : classPath().split(File.pathSeparator)) {
            if (Files.isRegularFile(Path.of(entry).resolve(TestProcesses.class.getName().replace('.', '/') + ".class"))) {
                return true;
            }
        }
        return false;
    }

    /**
     * The command line of a child JVM that runs {@code mainClass} of the test sources as a user's
     * process would run jshm: this JVM's {@code java} and class path, {@code -Xcheck:jni},
     * native access granted (JDK 22+ warns without it), any crash log written into
     * {@code errorDir}, the JVM's own messages logged there too (see {@link #vmLogOptions}), then
     * {@code jvmOptions}.
     */
    public static List<String> javaCommand(Path errorDir, List<String> jvmOptions, Class<?> mainClass, String... args) {
        List<String> command = new ArrayList<>(List.of(JAVA, "-Xcheck:jni", "--enable-native-access=ALL-UNNAMED",
                "-XX:ErrorFile=" + errorDir.resolve("hs_err_pid%p.log")));
        command.addAll(vmLogOptions(errorDir.resolve("vm-%p.log")));
        command.addAll(jvmOptions);
        command.addAll(List.of("-cp", classPath(), mainClass.getName()));
        command.addAll(List.of(args));
        return command;
    }

    public static List<String> javaCommand(Path errorDir, Class<?> mainClass, String... args) {
        return javaCommand(errorDir, List.of(), mainClass, args);
    }

    /** Runs {@code mainClass} in a child JVM in {@code workDir}, which also gets its crash logs. */
    public static Result runJvm(Duration timeout, Path workDir, Class<?> mainClass, String... args)
            throws IOException, InterruptedException {
        return run(timeout, workDir, null, javaCommand(workDir, mainClass, args));
    }

    /** The JVM's crash logs ({@code hs_err*}) in {@code dir}, none where there is no such directory. */
    public static List<Path> crashLogs(Path dir) throws IOException {
        if (!Files.isDirectory(dir)) {
            return List.of();
        }
        try (Stream<Path> files = Files.list(dir)) {
            return files.filter(p -> p.getFileName().toString().startsWith("hs_err")).sorted().toList();
        }
    }

    // ---- running to the end --------------------------------------------------------------------

    /** What a finished process printed. */
    public record Result(List<String> command, long pid, int exit, String out, String err) {

        /** Both outputs, stdout first: for what must (not) appear in either. */
        public String output() {
            return out + err;
        }

        public String describe() {
            String shown = String.join(" ", command).replace(classPath(), "<test class path>");
            return "command [" + shown + "] exited " + exit + "\n--- stdout ---\n" + out + "--- stderr ---\n" + err;
        }

        public Result assertSuccess() {
            assertEquals(0, exit, this::describe);
            return this;
        }
    }

    /**
     * Runs a command to its end in {@code workDir} (null: this JVM's), failing the test after
     * {@code timeout}; stdin gets {@code input} (null: nothing) and is then closed.
     */
    public static Result run(Duration timeout, Path workDir, String input, List<String> command)
            throws IOException, InterruptedException {
        return run(timeout, new ProcessBuilder(command).directory(workDir == null ? null : workDir.toFile()), input);
    }

    /** The same with a builder of the caller's (for its environment, or merged output). */
    public static Result run(Duration timeout, ProcessBuilder builder, String input) throws IOException, InterruptedException {
        Process process = builder.start();
        try {
            CompletableFuture<String> out = drain(process.getInputStream());
            CompletableFuture<String> err = drain(process.getErrorStream());
            try (OutputStream stdin = process.getOutputStream()) {
                if (input != null) {
                    stdin.write(input.getBytes(StandardCharsets.UTF_8));
                }
            }
            if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                process.destroyForcibly().waitFor(AFTER_EXIT.toSeconds(), TimeUnit.SECONDS);
                fail("did not finish within " + timeout + ": " + builder.command() + "\n--- stdout so far ---\n"
                        + soFar(out) + "--- stderr so far ---\n" + soFar(err));
            }
            return new Result(builder.command(), process.pid(), process.exitValue(), withoutSigbusReport(out.join()),
                    err.join() + vmOutput(builder.command(), process.pid()));
        } finally {
            process.destroyForcibly();
        }
    }

    // ---- the JVM's own messages, and the one warning jshm causes ---------------------------------

    /**
     * Options that send the JVM's own messages (its "tty": {@code -Xcheck:jni} warnings among
     * them) to {@code logFile} ({@code %p}: the pid) instead of stdout, where the JVM writes them
     * piece by piece from its own threads, in the middle of the program's lines. jshm causes one
     * such message in every JVM that maps a POSIX object or file under {@code -Xcheck:jni} (see
     * {@link #SIGBUS_REPORT_FIRST}). {@link #vmOutput} reads the log back.
     */
    public static List<String> vmLogOptions(Path logFile) {
        return List.of("-XX:+UnlockDiagnosticVMOptions", "-XX:-DisplayVMOutput", "-XX:+LogVMOutput", "-XX:LogFile=" + logFile);
    }

    /**
     * The JVM's own messages from the log that {@link #vmLogOptions} named in {@code command}, for
     * the process {@code pid}, without the SIGBUS report (the one warning allowed); empty when the
     * command logs nothing. {@link #run} appends them to the process's stderr, so that a test that
     * fails on a JNI warning there still does.
     */
    public static String vmOutput(List<String> command, long pid) {
        for (String arg : command) {
            if (arg.startsWith("-XX:LogFile=")) {
                return vmOutput(Path.of(arg.substring("-XX:LogFile=".length()).replace("%p", "pid" + pid)));
            }
        }
        return "";
    }

    /**
     * The text lines of the log's {@code <tty>} section (its XML elements left out, and the text
     * of its {@code <statistics>} elements: JDK 25 writes its deoptimization counts there at exit,
     * which are no message), without the SIGBUS report.
     */
    public static String vmOutput(Path log) {
        if (!Files.isRegularFile(log)) {
            return "";
        }
        StringBuilder text = new StringBuilder();
        boolean inTty = false;
        boolean inStatistics = false;
        try {
            for (String line : Files.readAllLines(log, StandardCharsets.UTF_8)) {
                if (line.equals("<tty>")) {
                    inTty = true;
                } else if (line.equals("</tty>")) {
                    inTty = false;
                } else if (line.startsWith("<statistics") && !line.endsWith("/>")) {
                    inStatistics = true;
                } else if (line.equals("</statistics>")) {
                    inStatistics = false;
                } else if (inTty && !inStatistics && !line.startsWith("<")) {
                    text.append(line.replace("&lt;", "<").replace("&gt;", ">").replace("&apos;", "'").replace("&quot;", "\"")
                            .replace("&amp;", "&")).append('\n');
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return withoutSigbusReport(text.toString());
    }


    /** The first line of the report {@code -Xcheck:jni} prints once when a library replaces the SIGBUS handler. */
    public static final String SIGBUS_REPORT_FIRST = "Warning: SIGBUS handler modified!";
    /** Its last line. */
    public static final String SIGBUS_REPORT_LAST = "Consider using jsig library.";

    /**
     * The lines of that report between its first and last: the handler table and the note on the
     * changed one. When another thread writes to the JVM's log in the middle of a line, the log
     * breaks the line there (before its {@code <writer>} element), so a handler's description may
     * also stand on a line of its own, without its signal's name.
     */
    private static final java.util.regex.Pattern SIGBUS_REPORT_BODY = java.util.regex.Pattern.compile(
            "Signal Handlers:|\\s+SIG[A-Z0-9]+: .*|\\s+\\*\\*\\* .*|\\S.*, mask=[01]+, flags=[A-Z_|a-z]+(, (un)?blocked)?");

    /**
     * {@code output} without the report that {@code -Xcheck:jni} prints (to stdout, once, from its
     * periodic check) because jshm installs its own SIGBUS handler when the first POSIX object or
     * file is mapped (see {@code FaultWord}). That report, from its first line to its last, is the
     * only warning the tests allow; everything else that says "warning" still fails them. The JVM
     * prints it from another thread, so a line of the program's own may come in the middle of it:
     * such a line is kept.
     */
    public static String withoutSigbusReport(String output) {
        StringBuilder kept = new StringBuilder(output.length());
        SigbusReportFilter filter = new SigbusReportFilter();
        for (String line : output.split("\\n", -1)) {
            if (filter.keep(line)) {
                kept.append(line).append('\n');
            }
        }
        // split(-1) yields one last empty piece after a final newline: drop the newline added for it.
        return kept.substring(0, Math.max(0, kept.length() - 1));
    }

    /** Line by line: whether a line of output is the program's rather than the SIGBUS report's. */
    static final class SigbusReportFilter {
        private boolean inReport;

        boolean keep(String line) {
            if (!inReport && line.equals(SIGBUS_REPORT_FIRST)) {
                inReport = true;
                return false;
            }
            if (inReport && line.equals(SIGBUS_REPORT_LAST)) {
                inReport = false;
                return false;
            }
            return !(inReport && SIGBUS_REPORT_BODY.matcher(line).matches());
        }
    }

    /** Reads a stream to its end in the background. */
    public static CompletableFuture<String> drain(InputStream stream) {
        return CompletableFuture.supplyAsync(() -> {
            try (stream) {
                return new String(stream.readAllBytes(), StandardCharsets.UTF_8);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        });
    }

    private static String soFar(CompletableFuture<String> output) throws InterruptedException {
        try {
            return output.get(AFTER_EXIT.toSeconds(), TimeUnit.SECONDS);
        } catch (ExecutionException | TimeoutException e) {
            return "(unreadable: " + e + ")\n";
        }
    }

    // ---- talking to a running process ----------------------------------------------------------

    /** Starts a program to talk to. */
    public static Child start(List<String> command) throws IOException {
        return new Child(new ProcessBuilder(command));
    }

    /** Starts a process from a builder of the caller's (a working directory, an environment). */
    public static Child start(ProcessBuilder builder) throws IOException {
        return new Child(builder);
    }

    /**
     * Starts {@code mainClass} in a child JVM ({@link #javaCommand}, crash logs into
     * {@link #targetDir()}) with the segment of {@code locator} in its environment.
     */
    public static Child startJvm(SegmentLocator locator, Class<?> mainClass, String... args) throws IOException {
        return new Child(locator.passTo(new ProcessBuilder(javaCommand(targetDir(), mainClass, args))));
    }

    /**
     * A running process. Its stdout is read line by line in the background, its stderr too;
     * every wait has a timeout; closing it kills it if it still runs.
     */
    public static final class Child implements AutoCloseable {

        private static final String EOF = "\u0000EOF";

        private final List<String> command;
        private final Process process;
        private final BlockingQueue<String> lines = new LinkedBlockingQueue<>();
        private final StringBuffer output = new StringBuffer();
        private final StringBuffer errors = new StringBuffer();
        private final Thread outReader;
        private final Thread errReader;

        private Child(ProcessBuilder builder) throws IOException {
            this.command = List.copyOf(builder.command());
            this.process = builder.start();
            outReader = new Thread(() -> pump(process.getInputStream(), output, true), "child-stdout-" + process.pid());
            errReader = new Thread(() -> pump(process.getErrorStream(), errors, false), "child-stderr-" + process.pid());
            outReader.setDaemon(true);
            errReader.setDaemon(true);
            outReader.start();
            errReader.start();
        }

        public Process process() {
            return process;
        }

        public long pid() {
            return process.pid();
        }

        /** The next line of stdout; fails on a timeout, on end of output, or on a warning (a JNI check's). */
        public String nextLine(Duration timeout) throws InterruptedException {
            String line = lines.poll(timeout.toNanos(), TimeUnit.NANOSECONDS);
            assertNotNull(line, () -> "no output from " + command + " within " + timeout + describe());
            assertFalse(line.equals(EOF), () -> "the output of " + command + " ended" + describe());
            assertFalse(line.contains("WARNING"), () -> "warning from " + command + ": " + line + describe());
            return line;
        }

        public void expectLine(String expected, Duration timeout) throws InterruptedException {
            String line = nextLine(timeout);
            assertTrue(line.equals(expected), () -> "expected \"" + expected + "\" from " + command + ", got \"" + line + "\"" + describe());
        }

        /** Writes a line to the process's stdin. */
        public void send(String line) throws IOException {
            OutputStream in = process.getOutputStream();
            in.write((line + "\n").getBytes(StandardCharsets.UTF_8));
            in.flush();
        }

        /** Closes the process's stdin: it reads end of input. */
        public void closeInput() throws IOException {
            process.getOutputStream().close();
        }

        /** Waits for the exit and returns its status (and reads the output to its end); fails on a timeout. */
        public int waitFor(Duration timeout) throws InterruptedException {
            assertTrue(process.waitFor(timeout.toNanos(), TimeUnit.NANOSECONDS),
                    () -> command + " did not exit within " + timeout + describe());
            outReader.join(AFTER_EXIT.toMillis());
            errReader.join(AFTER_EXIT.toMillis());
            String vm = vmOutput(command, process.pid());
            errors.append(vm);
            assertFalse(vm.contains("WARNING"), () -> "warning from " + command + describe());
            return process.exitValue();
        }

        /** Waits for an exit with status 0 and returns stdout, trimmed; fails otherwise, showing both outputs. */
        public String awaitSuccess(Duration timeout) throws InterruptedException {
            int status = waitFor(timeout);
            assertEquals(0, status, () -> "exit status of " + command + describe());
            return stdout().trim();
        }

        /** SIGKILL, and waits until the process is gone (so the kernel has released what it held). */
        public void kill() throws InterruptedException {
            process.destroyForcibly();
            waitFor(AFTER_EXIT);
        }

        /** Its stdout so far (all of it after {@link #waitFor}). */
        public String stdout() {
            return output.toString();
        }

        /** Its stderr so far (all of it after {@link #waitFor}). */
        public String stderr() {
            return errors.toString();
        }

        public String describe() {
            return "\n--- stdout:\n" + output + "--- stderr:\n" + errors;
        }

        @Override
        public void close() throws InterruptedException {
            if (process.isAlive()) {
                kill();
            }
        }

        private void pump(InputStream stream, StringBuffer copy, boolean queue) {
            try (BufferedReader reader = new BufferedReader(new InputStreamReader(stream, StandardCharsets.UTF_8))) {
                String line;
                SigbusReportFilter sigbusReport = new SigbusReportFilter();
                while ((line = reader.readLine()) != null) {
                    // The one warning allowed: see withoutSigbusReport.
                    if (!sigbusReport.keep(line)) {
                        continue;
                    }
                    copy.append(line).append('\n');
                    if (queue) {
                        lines.add(line);
                    }
                }
            } catch (IOException e) {
                copy.append("(reading failed: ").append(e).append(")\n");
            } finally {
                if (queue) {
                    lines.add(EOF);
                }
            }
        }
    }
}
