package dev.jshm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.module.ModuleDescriptor;
import java.lang.module.ModuleFinder;
import java.lang.module.ModuleReference;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.jar.Attributes;
import java.util.jar.JarEntry;
import java.util.jar.JarFile;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * jshm as a dependency, tried as a new user tries it: the library artifact and its published POM
 * are put into a private local repository, a separate Maven project
 * ({@code src/test/consumer}) is built against them offline, and its program (a System V segment,
 * a POSIX object, a compare-and-set, a message ring) runs on the class path, on the module path and
 * from the consumer's own fat jar, on JDK 17 and JDK 25. With the flag the README documents for
 * each case stderr stays empty; on JDK 25 without it the JVM warns, so the flag is what keeps it
 * quiet.
 *
 * <p>The consumer's build reads plugins from the local repository this build used (as a file
 * mirror: no network) and writes only under {@code target/consumer-it}.
 */
@Timeout(value = 240)
class ConsumerIT {

    private static final Path LIBRARY_JAR = Path.of(property("jshm.library.jar"));
    private static final Path PUBLISHED_POM = Path.of(property("jshm.published.pom"));
    private static final String VERSION = property("jshm.version");
    private static final Path MAVEN = Path.of(property("jshm.maven.home"), "bin", "mvn");
    private static final Path SEED_REPOSITORY = Path.of(property("jshm.maven.repository"));
    private static final Path JDK25_JAVA = Path.of(System.getProperty("jshm.test.jdk25", "/usr/lib/jvm/temurin-25-jdk-amd64"),
            "bin", "java");
    private static final String MAIN = "example.consumer.Consumer";
    private static final String WARNING = "WARNING: A restricted method in java.lang.System has been called";
    private static final List<String> EXPECTED_STEPS = List.of("sysv ok: hello from a consumer", "posix ok: 102030405060708",
            "cas ok: true false 42", "ring ok: 1 [7:order 17]");
    private static final Duration BUILD_TIMEOUT = Duration.ofSeconds(150);
    private static final Duration RUN_TIMEOUT = Duration.ofSeconds(30);

    private static Path work;
    private static Path installedJar;
    private static Path consumerJar;
    private static Path consumerFatJar;

    private static String property(String name) {
        return Objects.requireNonNull(System.getProperty(name), () -> "system property " + name + " (set by failsafe)");
    }

    /** How the consumer's program is started, with and without the native-access flag. */
    enum Launch {
        CLASS_PATH("unnamed", "--enable-native-access=ALL-UNNAMED"),
        MODULE_PATH("dev.jshm", "--enable-native-access=dev.jshm"),
        /** {@code java -jar}: the manifest's Enable-Native-Access entry; without it, the same jar on -cp. */
        FAT_JAR("unnamed", null);

        final String module;
        final String flag;

        Launch(String module, String flag) {
            this.module = module;
            this.flag = flag;
        }

        List<String> command(String java, boolean enableNativeAccess) {
            List<String> command = new ArrayList<>(List.of(java));
            switch (this) {
                case CLASS_PATH, MODULE_PATH -> {
                    if (enableNativeAccess) {
                        command.add(flag);
                    }
                    String path = consumerJar + File.pathSeparator + installedJar;
                    if (this == CLASS_PATH) {
                        command.addAll(List.of("-cp", path, MAIN));
                    } else {
                        command.addAll(List.of("-p", path, "-m", "example.consumer/" + MAIN));
                    }
                }
                case FAT_JAR -> command.addAll(enableNativeAccess ? List.of("-jar", consumerFatJar.toString())
                        : List.of("-cp", consumerFatJar.toString(), MAIN));
            }
            return command;
        }
    }

    @BeforeAll
    @Timeout(value = 200)
    static void installTheLibraryAndBuildTheConsumer() throws Exception {
        assertTrue(Files.isRegularFile(LIBRARY_JAR), LIBRARY_JAR + " is missing: run mvn package first");
        assertTrue(Files.isRegularFile(PUBLISHED_POM), PUBLISHED_POM + " is missing");
        assertTrue(Files.isDirectory(SEED_REPOSITORY), SEED_REPOSITORY + " is missing");
        work = TestProcesses.targetDir().resolve("consumer-it");
        Path repository = work.resolve("repository");
        Path project = work.resolve("project");
        // A fresh copy of the library each run; plugins copied in by earlier runs are kept.
        deleteTree(repository.resolve("dev/jshm"));
        deleteTree(project);
        Files.createDirectories(work);
        copyTree(TestProcesses.basedir().resolve("src/test/consumer"), project);
        Path settings = Files.writeString(work.resolve("settings.xml"), String.join("\n",
                "<settings>",
                "  <mirrors>",
                "    <mirror>",
                "      <id>this-build</id>",
                "      <mirrorOf>*</mirrorOf>",
                "      <url>" + SEED_REPOSITORY.toUri() + "</url>",
                "    </mirror>",
                "  </mirrors>",
                "</settings>",
                ""));
        // Offline except for the file mirror: everything comes from what this build already has.
        List<String> maven = List.of(MAVEN.toString(), "-B", "-q", "-o", "-Daether.offline.protocols=file", "-s",
                settings.toString(), "-Dmaven.repo.local=" + repository);

        // Installed as 'mvn install' lays it out: the jar, the published POM and the attached jars
        // under the artifact's coordinates (no install plugin: this build might not have fetched it).
        Path installed = Files.createDirectories(repository.resolve("dev/jshm/jshm/" + VERSION));
        String base = LIBRARY_JAR.getFileName().toString().replaceFirst("\\.jar$", "");
        Files.copy(LIBRARY_JAR, installed.resolve("jshm-" + VERSION + ".jar"));
        Files.copy(PUBLISHED_POM, installed.resolve("jshm-" + VERSION + ".pom"));
        for (String classifier : List.of("sources", "javadoc")) {
            Files.copy(LIBRARY_JAR.resolveSibling(base + "-" + classifier + ".jar"),
                    installed.resolve("jshm-" + VERSION + "-" + classifier + ".jar"));
        }

        List<String> build = new ArrayList<>(maven);
        build.addAll(List.of("-Djshm.version=" + VERSION, "package"));
        TestProcesses.run(BUILD_TIMEOUT, project, null, build).assertSuccess();

        installedJar = repository.resolve("dev/jshm/jshm/" + VERSION + "/jshm-" + VERSION + ".jar");
        consumerJar = project.resolve("target/jshm-consumer-1.jar");
        consumerFatJar = project.resolve("target/jshm-consumer-1-all.jar");
        for (Path jar : List.of(installedJar, consumerJar, consumerFatJar)) {
            assertTrue(Files.isRegularFile(jar), jar + " was not built");
        }
    }

    // ---- what was published ----------------------------------------------------------------------

    @Test
    void libraryJarIsTheNamedModuleWithTheNativeLibrariesAndNoCommandLineTool() throws IOException {
        List<String> names = entries(installedJar);
        for (String platform : List.of("linux-x86_64", "linux-aarch64")) {
            assertTrue(names.contains("native/" + platform + "/libjshm.so"), "bundled library for " + platform);
        }
        assertTrue(names.contains("dev/jshm/Segment.class") && names.contains("dev/jshm/ring/MessageRing.class"), "the API");
        assertTrue(names.contains("META-INF/LICENSE") && names.contains("META-INF/NOTICE"), "license files");
        List<String> foreign = names.stream()
                .filter(n -> n.startsWith("dev/jshm/cli/") || n.startsWith("picocli/") || n.startsWith("dev/jshm/shaded/")
                        || n.startsWith("org/") || n.startsWith("META-INF/man/") || n.startsWith("META-INF/versions/"))
                .toList();
        assertEquals(List.of(), foreign, "the library jar carries neither the command-line tool nor anything shaded");

        try (JarFile jar = new JarFile(installedJar.toFile())) {
            Attributes manifest = jar.getManifest().getMainAttributes();
            assertNull(manifest.getValue("Main-Class"), "the library is not runnable");
            assertNull(manifest.getValue("Automatic-Module-Name"), "an explicit module, not an automatic one");
        }
        ModuleReference module = ModuleFinder.of(installedJar).findAll().iterator().next();
        ModuleDescriptor descriptor = module.descriptor();
        assertEquals("dev.jshm", descriptor.name());
        assertFalse(descriptor.isAutomatic(), "module-info.class must be there");
        Set<String> exported = descriptor.exports().stream().map(ModuleDescriptor.Exports::source).collect(Collectors.toSet());
        assertTrue(exported.containsAll(Set.of("dev.jshm", "dev.jshm.ring")), exported.toString());
        assertFalse(exported.contains("dev.jshm.cli"), exported.toString());
        assertFalse(descriptor.packages().contains("dev.jshm.cli"), descriptor.packages().toString());
    }

    @Test
    void publishedPomHasTheMetadataAndNoBuildAndGivesConsumersNoDependency() throws IOException {
        String installed = Files.readString(installedJar.resolveSibling("jshm-" + VERSION + ".pom"));
        assertFalse(installed.contains("<build>"), installed);
        for (String element : List.of("<description>", "<url>", "<licenses>", "<name>Apache-2.0</name>", "<scm>", "<developers>")) {
            assertTrue(installed.contains(element), element + " missing:\n" + installed);
        }
        assertFalse(installed.contains("commons-lang3"), installed);
        // picocli is the command-line tool's: optional, so no consumer resolves it.
        String picocli = installed.substring(installed.indexOf("<artifactId>picocli</artifactId>"));
        assertTrue(picocli.substring(0, picocli.indexOf("</dependency>")).contains("<optional>true</optional>"), installed);
        for (String classifier : List.of("sources", "javadoc")) {
            Path jar = installedJar.resolveSibling("jshm-" + VERSION + "-" + classifier + ".jar");
            assertTrue(Files.isRegularFile(jar), jar + " missing");
            String expected = classifier.equals("sources") ? "dev/jshm/Segment.java" : "dev.jshm/dev/jshm/Segment.html";
            List<String> names = entries(jar);
            assertTrue(names.contains(expected), classifier + " jar: " + expected + " missing");
            assertTrue(names.stream().noneMatch(n -> n.contains("dev/jshm/cli/")), classifier + " jar documents the tool");
        }
    }

    @Test
    void consumersFatJarHoldsJshmAndNothingOfTheTool() throws IOException {
        List<String> names = entries(consumerFatJar);
        assertTrue(names.contains("example/consumer/Consumer.class") && names.contains("dev/jshm/Segment.class")
                && names.contains("native/linux-x86_64/libjshm.so"), "the consumer, jshm and its library");
        assertTrue(names.stream().noneMatch(n -> n.startsWith("picocli/") || n.startsWith("dev/jshm/cli/")),
                "a consumer must not get the command-line tool or picocli");
        try (JarFile jar = new JarFile(consumerFatJar.toFile())) {
            assertEquals("ALL-UNNAMED", jar.getManifest().getMainAttributes().getValue("Enable-Native-Access"));
        }
    }

    /**
     * A class that another class-path entry puts into {@code dev.jshm} would share the package's
     * private members ({@code Native} among them): the library jar seals its packages, so the JVM
     * refuses it.
     */
    @Test
    void aClassFromElsewhereCannotJoinTheLibrarysPackages() throws Exception {
        Path source = work.resolve("intruder-src/dev/jshm/Intruder.java");
        Files.createDirectories(source.getParent());
        Files.writeString(source, """
                package dev.jshm;

                public final class Intruder {
                    public static void main(String[] args) throws Exception {
                        System.out.println("reached " + Class.forName("dev.jshm.Native"));
                    }
                }
                """);
        Path classes = work.resolve("intruder-classes");
        String javac = Path.of(System.getProperty("java.home"), "bin", "javac").toString();
        TestProcesses.Result compiled = TestProcesses.run(BUILD_TIMEOUT, work, null,
                List.of(javac, "--release", "17", "-d", classes.toString(), source.toString()));
        assertEquals(0, compiled.exit(), compiled::describe);
        for (String path : List.of(installedJar + File.pathSeparator + classes, classes + File.pathSeparator + installedJar)) {
            TestProcesses.Result result = TestProcesses.run(RUN_TIMEOUT, work, null,
                    List.of(TestProcesses.JAVA, "-cp", path, "dev.jshm.Intruder"));
            assertFalse(result.out().contains("reached"), result::describe);
            assertTrue(result.exit() != 0 && result.err().contains("sealing violation"), result::describe);
        }
    }

    // ---- running it ----------------------------------------------------------------------------

    @ParameterizedTest
    @EnumSource(Launch.class)
    void runsOnJdk17WithTheDocumentedFlagAndAnEmptyStderr(Launch launch) throws Exception {
        assertRanQuietly(launch, jdk17());
    }

    @ParameterizedTest
    @EnumSource(Launch.class)
    void runsOnJdk25WithTheDocumentedFlagAndAnEmptyStderr(Launch launch) throws Exception {
        assertRanQuietly(launch, jdk25());
    }

    /** JDK 17 has no such warning: the flag is accepted there but not needed. */
    @ParameterizedTest
    @EnumSource(Launch.class)
    void jdk17NeedsNoFlag(Launch launch) throws Exception {
        TestProcesses.Result result = TestProcesses.run(RUN_TIMEOUT, work, null, launch.command(jdk17(), false));
        assertEquals(0, result.exit(), result::describe);
        assertEquals(EXPECTED_STEPS, steps(result), result::describe);
        assertEquals("", result.err(), () -> "stderr must be empty\n" + result.describe());
    }

    @ParameterizedTest
    @EnumSource(Launch.class)
    void jdk25WarnsWithoutTheFlag(Launch launch) throws Exception {
        TestProcesses.Result result = TestProcesses.run(RUN_TIMEOUT, work, null, launch.command(jdk25(), false));
        assertEquals(0, result.exit(), result::describe);
        assertEquals(EXPECTED_STEPS, steps(result), result::describe);
        assertTrue(result.err().contains(WARNING) && result.err().contains("--enable-native-access")
                && result.err().contains("will be blocked in a future release"), result::describe);
    }

    /** The module path needs the module's name: ALL-UNNAMED there does not cover dev.jshm. */
    @Test
    void jdk25WarnsOnTheModulePathWhenOnlyUnnamedModulesAreEnabled() throws Exception {
        List<String> command = Launch.MODULE_PATH.command(jdk25(), false);
        command.add(1, "--enable-native-access=ALL-UNNAMED");
        TestProcesses.Result result = TestProcesses.run(RUN_TIMEOUT, work, null, command);
        assertEquals(0, result.exit(), result::describe);
        assertTrue(result.err().contains(WARNING) && result.err().contains("module dev.jshm"), result::describe);
    }

    private static void assertRanQuietly(Launch launch, String java) throws Exception {
        TestProcesses.Result result = TestProcesses.run(RUN_TIMEOUT, work, null, launch.command(java, true));
        assertEquals(0, result.exit(), result::describe);
        List<String> lines = result.out().lines().toList();
        assertEquals("jshm module: " + launch.module, lines.isEmpty() ? "" : lines.get(0), result::describe);
        assertEquals(EXPECTED_STEPS, steps(result), result::describe);
        assertEquals("", result.err(), () -> "stderr must be empty\n" + result.describe());
    }

    private static List<String> steps(TestProcesses.Result result) {
        return result.out().lines().filter(line -> line.contains(" ok: ")).toList();
    }

    /** The JVM that runs the suite, which the JDK 17 rows launch: refused on any other release. */
    private static String jdk17() {
        assertEquals(17, Runtime.version().feature(), "the suite runs on JDK 17: " + Runtime.version());
        return TestProcesses.JAVA;
    }

    private static String jdk25() throws IOException, InterruptedException {
        assumeTrue(Files.isExecutable(JDK25_JAVA), "JDK 25 is not installed at " + JDK25_JAVA);
        TestProcesses.Result version = TestProcesses.run(RUN_TIMEOUT, null, null, List.of(JDK25_JAVA.toString(), "-version"));
        assertTrue(version.err().contains("\"25"), version::describe);
        return JDK25_JAVA.toString();
    }

    private static List<String> entries(Path jar) throws IOException {
        try (JarFile file = new JarFile(jar.toFile())) {
            List<String> names = file.stream().map(JarEntry::getName).toList();
            assertNotNull(names);
            return names;
        }
    }

    private static void copyTree(Path from, Path to) throws IOException {
        try (Stream<Path> paths = Files.walk(from)) {
            for (Path source : paths.toList()) {
                Files.copy(source, to.resolve(from.relativize(source).toString()));
            }
        }
    }

    private static void deleteTree(Path root) throws IOException {
        if (!Files.exists(root)) {
            return;
        }
        try (Stream<Path> paths = Files.walk(root)) {
            paths.sorted(Comparator.reverseOrder()).forEach(path -> {
                try {
                    Files.delete(path);
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            });
        }
    }
}
