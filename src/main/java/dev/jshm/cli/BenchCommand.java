package dev.jshm.cli;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;

import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code jshm bench}: runs the repository's quick benchmark suite ({@code make bench}). */
@Command(name = "bench", mixinStandardHelpOptions = true,
        header = "Runs the quick benchmark suite (make bench) in a jshm checkout.",
        description = {
            "Runs the quick benchmark suite: 'make bench' in a jshm checkout (the benchmarks use JMH, which"
                    + " this jar does not carry; results go to target/bench there). Its output streams through"
                    + " as it runs, and its exit status is this command's.",
            "Arguments after the options (or after --) go to make, such as BENCH_ARGS=\"-f 1\".",
        })
final class BenchCommand implements Callable<Integer> {

    @Option(names = "--repo", paramLabel = "DIR", defaultValue = ".",
            description = "The jshm checkout (default: the current directory).")
    private Path repo;

    @Parameters(paramLabel = "MAKE_ARG", arity = "0..*", description = "Passed to make after 'bench'.")
    private List<String> makeArguments = new ArrayList<>();

    @Override
    public Integer call() throws IOException, InterruptedException {
        Path dir = repo.toAbsolutePath().normalize();
        List<String> missing = new ArrayList<>();
        for (String required : List.of("Makefile", "bench/pom.xml")) {
            if (!Files.isRegularFile(dir.resolve(required))) {
                missing.add(required);
            }
        }
        if (!missing.isEmpty()) {
            throw new IllegalArgumentException(dir + " is not a jshm checkout (no " + String.join(" and no ", missing)
                    + "): run bench from the repository's root or give --repo DIR");
        }
        List<String> command = new ArrayList<>(List.of("make", "--no-print-directory", "bench"));
        command.addAll(makeArguments);
        Process make;
        try {
            ProcessBuilder builder = new ProcessBuilder(command).directory(dir.toFile()).inheritIO();
            // Run as a top-level make even when this tool was started from a make recipe: no
            // inherited jobserver or recursion level from the caller's make.
            builder.environment().keySet().removeAll(List.of("MAKELEVEL", "MAKEFLAGS", "MFLAGS"));
            make = builder.start();
        } catch (IOException e) {
            throw new IOException("cannot run make (is it installed?): " + e.getMessage(), e);
        }
        return make.waitFor();
    }
}
