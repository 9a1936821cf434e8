package dev.jshm.internal;

import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeFalse;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import dev.jshm.TestProcesses;

/**
 * {@link AccessorClasses}' promise: the classes of the JDK's buffer accessor signatures are
 * loaded before the first segment is accessed. A child JVM logs every class it loads, in order,
 * on the stdout where it then prints its mark. The JDK itself does not load them for those
 * accesses (without the library's load, on JDK 17 neither appears before the child exits, and
 * on JDK 25 {@code MemorySessionImpl} comes after the mark), so the test fails if the load goes.
 */
class AccessorClassesTest {

    @Test
    void loadedBeforeTheFirstSegmentIsAccessed(@TempDir Path workDir) throws Exception {
        List<String> inThisJdk = new ArrayList<>();
        for (String name : AccessorClasses.NAMES) {
            try {
                Class.forName(name, false, null);
                inThisJdk.add(name);
            } catch (ClassNotFoundException absent) {
                // Not this JDK's: checked on the JDKs that have it.
            }
        }
        assumeFalse(inThisJdk.isEmpty(), "this JDK's buffers name neither class: nothing to load");

        TestProcesses.Result child = TestProcesses.run(Duration.ofSeconds(60), workDir, null,
                TestProcesses.javaCommand(workDir, List.of("-Xlog:class+load=info:stdout"), AccessorClassesMain.class))
                .assertSuccess();

        int mark = child.out().indexOf(AccessorClassesMain.MARK);
        assertTrue(mark >= 0, child::describe);
        for (String name : inThisJdk) {
            int loaded = child.out().indexOf("] " + name + " source:");
            assertTrue(loaded >= 0 && loaded < mark, () -> name + " not loaded before the mark: " + child.describe());
        }
    }

    /**
     * A security manager that refuses the load does not keep the library from mapping: the load
     * is a speed measure, and the JDK loads the classes when it will, as without it.
     */
    @Test
    void aRefusedLoadStillMaps(@TempDir Path workDir) throws Exception {
        assumeTrue(Runtime.version().feature() < 24, "no security manager from JDK 24 on");
        List<String> options = Runtime.version().feature() >= 18 ? List.of("-Djava.security.manager=allow") : List.of();

        TestProcesses.Result child = TestProcesses.run(Duration.ofSeconds(60), workDir, null,
                TestProcesses.javaCommand(workDir, options, AccessorClassesMain.class, "deny-boot-loader"))
                .assertSuccess();

        assertTrue(child.out().contains(AccessorClassesMain.MARK), child::describe);
    }
}
