package dev.jshm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.StringReader;

import org.junit.jupiter.api.Test;

/** The CPU vendor that picks the native copy threshold, and the thresholds it picks. */
class CpuVendorTest {

    private static String vendorOf(String cpuinfo) throws IOException {
        return CpuVendor.vendorOf(new BufferedReader(new StringReader(cpuinfo)));
    }

    @Test
    void readsTheFirstProcessorsVendor() throws IOException {
        assertEquals("AuthenticAMD", vendorOf("processor\t: 0\nvendor_id\t: AuthenticAMD\ncpu family\t: 26\n\n"
                + "processor\t: 1\nvendor_id\t: GenuineIntel\n"));
        assertEquals("GenuineIntel", vendorOf("processor\t: 0\nvendor_id\t: GenuineIntel\nmodel name\t: Intel(R) Xeon(R)\n"));
    }

    @Test
    void aCpuinfoWithoutAVendorNamesNone() throws IOException {
        // aarch64's /proc/cpuinfo: no vendor_id line (CPU implementer is a number).
        assertEquals("", vendorOf("processor\t: 0\nBogoMIPS\t: 50.00\nCPU implementer\t: 0x41\n\n"
                + "processor\t: 1\nvendor_id\t: not the first processor's\n"));
        assertEquals("", vendorOf(""));
        assertEquals("", vendorOf("vendor_identity : x\n"));
    }

    @Test
    void amdCopiesNativelyFrom64KibAndEveryOtherCpuFrom1Mib() {
        assertEquals(64 * 1024, BulkCopy.copyThresholdFor("AuthenticAMD"));
        assertEquals(1024 * 1024, BulkCopy.copyThresholdFor("GenuineIntel"));
        assertEquals(1024 * 1024, BulkCopy.copyThresholdFor(""));
        assertEquals(1024 * 1024, BulkCopy.NATIVE_FILL_THRESHOLD, "fills switch at 1 MiB on every CPU");
    }

    @Test
    void thisProcessUsesTheThresholdOfItsCpu() {
        // The suite sets no dev.jshm.nativeCopyThreshold: the threshold is the CPU's.
        assertEquals(null, System.getProperty("dev.jshm.nativeCopyThreshold"));
        if (System.getProperty("os.arch").equals("amd64")) {
            // Every x86-64 kernel names the vendor: an empty answer is a parsing fault here.
            assertTrue(CpuVendor.current().matches("[A-Za-z]{12}"), CpuVendor.current());
        }
        assertEquals(BulkCopy.copyThresholdFor(CpuVendor.current()), BulkCopy.NATIVE_COPY_THRESHOLD);
    }
}
