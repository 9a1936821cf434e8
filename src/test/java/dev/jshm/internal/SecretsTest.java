package dev.jshm.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.jshm.TestProcesses;
import java.lang.reflect.Proxy;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The bridges are registered once, by dev.jshm, and reading one before anything else initialises it. */
class SecretsTest {

    @Test
    void theOneImplementationIsDevJshms() {
        assertEquals("dev.jshm.SegmentMemoryBridge", Secrets.segmentMemory().getClass().getName());
        SegmentMemory memory = Secrets.segmentMemory();
        assertThrows(IllegalStateException.class, () -> Secrets.setSegmentMemory(memory));
        assertEquals(memory, Secrets.segmentMemory(), "a second registration replaces nothing");
    }

    @Test
    void theOneRegularFileOpenerIsDevJshms() {
        RegularFileOpener opener = Secrets.regularFileOpener();
        assertEquals("dev.jshm.RegularFileOpenerBridge", opener.getClass().getName());
        assertThrows(IllegalStateException.class, () -> Secrets.setRegularFileOpener(opener));
        RegularFileOpener foreign = (RegularFileOpener) Proxy.newProxyInstance(SecretsTest.class.getClassLoader(),
                new Class<?>[] {RegularFileOpener.class}, (proxy, method, arguments) -> null);
        assertThrows(IllegalArgumentException.class, () -> Secrets.setRegularFileOpener(foreign));
        assertEquals(opener, Secrets.regularFileOpener(), "no registration replaces it");
    }

    @Test
    void readingTheOpenerFirstInitialisesSegment(@TempDir Path dir) throws Exception {
        TestProcesses.Result result = TestProcesses.runJvm(Duration.ofSeconds(60), dir, FirstOpenerUse.class).assertSuccess();
        assertEquals("dev.jshm.RegularFileOpenerBridge", result.out().strip());
    }

    @Test
    void readingFirstInitialisesSegment(@TempDir Path dir) throws Exception {
        TestProcesses.Result result = TestProcesses.runJvm(Duration.ofSeconds(60), dir, FirstUse.class).assertSuccess();
        assertEquals("dev.jshm.SegmentMemoryBridge", result.out().strip());
    }

    @Test
    void anotherImplementationIsRefusedBeforeSegmentInitialises(@TempDir Path dir) throws Exception {
        TestProcesses.Result result = TestProcesses.runJvm(Duration.ofSeconds(60), dir, ForeignFirst.class).assertSuccess();
        assertEquals("refused: not the segment memory bridge of dev.jshm\nthen dev.jshm.SegmentMemoryBridge", result.out().strip());
    }

    /** A JVM whose first use of jshm is an attempt to register its own bridge. */
    public static final class ForeignFirst {
        private ForeignFirst() {
        }

        public static void main(String[] args) {
            SegmentMemory foreign = (SegmentMemory) Proxy.newProxyInstance(ForeignFirst.class.getClassLoader(),
                    new Class<?>[] {SegmentMemory.class}, (proxy, method, arguments) -> null);
            try {
                Secrets.setSegmentMemory(foreign);
                System.out.println("accepted");
            } catch (IllegalArgumentException e) {
                System.out.println("refused: " + e.getMessage().substring(0, e.getMessage().indexOf(':')));
            }
            System.out.println("then " + Secrets.segmentMemory().getClass().getName());
        }
    }

    /** A JVM whose first use of jshm is reading the opener of regular files. */
    public static final class FirstOpenerUse {
        private FirstOpenerUse() {
        }

        public static void main(String[] args) {
            RegularFileOpener opener = Secrets.regularFileOpener();
            System.out.println(opener == null ? "null" : opener.getClass().getName());
        }
    }

    /** A JVM whose first use of jshm is reading the bridge. */
    public static final class FirstUse {
        private FirstUse() {
        }

        public static void main(String[] args) {
            SegmentMemory memory = Secrets.segmentMemory();
            System.out.println(memory == null ? "null" : memory.getClass().getName());
        }
    }
}
