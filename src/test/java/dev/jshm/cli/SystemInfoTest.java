package dev.jshm.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.math.BigInteger;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What {@code doctor} and {@code list} read from {@code /proc} and {@code /etc/passwd}, on fixed text. */
class SystemInfoTest {

    @TempDir
    Path dir;

    @Test
    void meminfoValuesAreBytesOrCounts() {
        Map<String, Long> values = SystemInfo.meminfo(List.of(
                "MemTotal:       24558780 kB",
                "HugePages_Total:       4",
                "HugePages_Free:        3",
                "Hugepagesize:       2048 kB",
                "Garbage line",
                "DirectMap1G:    not-a-number kB"));
        assertEquals(24558780L * 1024, values.get("MemTotal"));
        assertEquals(4, values.get("HugePages_Total"));
        assertEquals(3, values.get("HugePages_Free"));
        assertEquals(2L << 20, values.get("Hugepagesize"));
        assertNull(values.get("DirectMap1G"));
        assertTrue(SystemInfo.meminfo(null).isEmpty());
    }

    @Test
    void limitsAreSoftAndHardWithUnlimitedAsMinusOne() {
        List<String> limits = List.of(
                "Limit                     Soft Limit           Hard Limit           Units     ",
                "Max cpu time              unlimited            unlimited            seconds   ",
                "Max locked memory         8388608              16777216             bytes     ",
                "Max address space         unlimited            unlimited            bytes     ");
        assertArrayEquals(new long[] {8388608, 16777216}, SystemInfo.limit(limits, "Max locked memory"));
        assertArrayEquals(new long[] {-1, -1}, SystemInfo.limit(limits, "Max address space"));
        assertNull(SystemInfo.limit(limits, "Max nice priority"));
        assertNull(SystemInfo.limit(null, "Max locked memory"));
    }

    @Test
    void kernelNumbersMayExceedALong() {
        assertEquals(new BigInteger("18446744073692774399"), SystemInfo.unsigned("18446744073692774399"));
        assertTrue(SystemInfo.unsigned("18446744073692774399").compareTo(SystemInfo.UNLIMITED) >= 0);
        assertEquals(BigInteger.valueOf(4096), SystemInfo.unsigned("4096"));
        assertNull(SystemInfo.unsigned("-1"));
        assertNull(SystemInfo.unsigned(null));
        assertNull(SystemInfo.unsigned("12 pages"));
    }

    @Test
    void theRealProcGivesSensibleValues() {
        assertTrue(SystemInfo.pageSize() >= 4096);
        assertTrue(Long.bitCount(SystemInfo.pageSize()) == 1);
        assertTrue(SystemInfo.ipcNamespace() == null || SystemInfo.ipcNamespace().matches("ipc:\\[\\d+\\]"));
        assertTrue(SystemInfo.kernel("shmmni").signum() > 0);
    }

    @Test
    void usersComeFromPasswdAndUnknownOnesByNumber() throws IOException {
        Path passwd = Files.write(dir.resolve("passwd"), List.of(
                "root:x:0:0:root:/root:/bin/bash",
                "# a comment",
                "alice:x:1000:1000::/home/alice:/bin/sh",
                "+::::::",
                "dup:x:1000:1000::/:/bin/false",
                "broken line"));
        Path group = Files.write(dir.resolve("group"), List.of(
                "root:x:0:",
                "staff:x:50:alice,bob",
                "+:::",
                "dupgroup:x:50:"));
        Users users = Users.read(passwd, group);
        assertEquals("root", users.name(0));
        assertEquals("alice", users.name(1000), "the first name of a uid");
        assertEquals("4242", users.name(4242));
        assertEquals(OptionalLong.of(1000), users.uid("alice"));
        assertEquals(OptionalLong.of(1000), users.uid("dup"));
        assertEquals(OptionalLong.of(77), users.uid("77"));
        assertEquals(OptionalLong.empty(), users.uid("nobody-here"));
        assertEquals("root", users.group(0));
        assertEquals("staff", users.group(50), "the first name of a gid");
        assertEquals("4242", users.group(4242));
        Users none = Users.read(dir.resolve("missing"), dir.resolve("missing-too"));
        assertEquals("0", none.name(0));
        assertEquals("0", none.group(0));
    }
}
