/**
 * jshm: System V, POSIX and file-backed shared memory for Java, and the tools to coordinate
 * through it with other processes, Java or C, on the same host.
 *
 * <ul>
 * <li>{@code dev.jshm}: the segments ({@link dev.jshm.Segment} and its kinds), their atomics
 *     and their exceptions;</li>
 * <li>{@code dev.jshm.sync}: futex wait and wake, the robust lock, the signal block and the
 *     idle strategies;</li>
 * <li>{@code dev.jshm.ring}: the message ring ({@link dev.jshm.ring.MessageRing}), which C
 *     programs share through {@code jshm_ring.h};</li>
 * <li>{@code dev.jshm.stat}: what the kernel reports about segments.</li>
 * </ul>
 *
 * <p>The module needs no other module at run time. It carries its native library
 * ({@code libjshm.so} for Linux x86_64 and aarch64) and loads it with {@code System.load} when
 * first needed. On JDK 24 and later, grant it native access or the JDK warns on stderr:
 * {@code --enable-native-access=dev.jshm} on the module path,
 * {@code --enable-native-access=ALL-UNNAMED} on the class path. The command-line tool
 * ({@code dev.jshm.cli}) is not part of the library.
 */
module dev.jshm {
    requires static info.picocli; // the command-line tool only (dev.jshm.cli, not in the library jar)
    exports dev.jshm;
    exports dev.jshm.ring;
    exports dev.jshm.stat;
    exports dev.jshm.sync;
}
