package dev.jshm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.StringReader;

import org.junit.jupiter.api.Test;

/** The CPU vendor and family that pick the native copy threshold, and the thresholds they pick. */
class CpuIdTest {

    private static CpuId parse(String cpuinfo) throws IOException {
        return CpuId.parse(new BufferedReader(new StringReader(cpuinfo)));
    }

    @Test
    void readsTheFirstProcessorsVendorAndFamily() throws IOException {
        assertEquals(new CpuId("AuthenticAMD", 26), parse("processor\t: 0\nvendor_id\t: AuthenticAMD\ncpu family\t: 26\n"
                + "model\t\t: 2\n\nprocessor\t: 1\nvendor_id\t: GenuineIntel\ncpu family\t: 6\n"));
        assertEquals(new CpuId("GenuineIntel", 6), parse("processor\t: 0\nvendor_id\t: GenuineIntel\ncpu family\t: 6\n"
                + "model name\t: Intel(R) Xeon(R)\n"));
    }

    @Test
    void whatTheFirstBlockLacksIsUnknown() throws IOException {
        // aarch64's /proc/cpuinfo: no vendor_id and no cpu family (CPU implementer is a number).
        assertEquals(CpuId.UNKNOWN, parse("processor\t: 0\nBogoMIPS\t: 50.00\nCPU implementer\t: 0x41\n\n"
                + "processor\t: 1\nvendor_id\t: AuthenticAMD\ncpu family\t: 26\n"));
        assertEquals(CpuId.UNKNOWN, parse(""));
        assertEquals(CpuId.UNKNOWN, parse("vendor_identity : x\ncpu family name : 26\n"));
        assertEquals(new CpuId("AuthenticAMD", -1), parse("vendor_id : AuthenticAMD\ncpu family : twenty-six\n"));
    }

    @Test
    void amdFamily26CopiesNativelyFrom64KibAndEveryOtherCpuFrom1Mib() {
        assertEquals(64 * 1024, BulkCopy.copyThresholdFor(new CpuId("AuthenticAMD", 26)));
        assertEquals(1024 * 1024, BulkCopy.copyThresholdFor(new CpuId("AuthenticAMD", 25)));
        assertEquals(1024 * 1024, BulkCopy.copyThresholdFor(new CpuId("AuthenticAMD", -1)));
        assertEquals(1024 * 1024, BulkCopy.copyThresholdFor(new CpuId("GenuineIntel", 6)));
        assertEquals(1024 * 1024, BulkCopy.copyThresholdFor(new CpuId("GenuineIntel", 26)));
        assertEquals(1024 * 1024, BulkCopy.copyThresholdFor(CpuId.UNKNOWN));
        assertEquals(1024 * 1024, BulkCopy.NATIVE_FILL_THRESHOLD, "fills switch at 1 MiB on every CPU");
    }

    @Test
    void thisProcessUsesTheThresholdOfItsCpu() {
        // The suite sets no dev.jshm.nativeCopyThreshold: the threshold is the CPU's.
        assertEquals(null, System.getProperty("dev.jshm.nativeCopyThreshold"));
        CpuId cpu = CpuId.current();
        if (System.getProperty("os.arch").equals("amd64")) {
            // Every x86-64 kernel names the vendor and family: a missing one is a parsing fault here.
            assertTrue(cpu.vendor().matches("[A-Za-z]{12}"), cpu.toString());
            assertTrue(cpu.family() >= 5, cpu.toString());
        }
        assertEquals(BulkCopy.copyThresholdFor(cpu), BulkCopy.NATIVE_COPY_THRESHOLD);
    }
}
