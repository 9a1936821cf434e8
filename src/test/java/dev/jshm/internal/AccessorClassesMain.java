package dev.jshm.internal;

import dev.jshm.SysVSegment;

/**
 * Run in a child JVM by {@link AccessorClassesTest}: maps a segment, reads and writes it through
 * the typed methods (the JDK's buffer accessors), then prints {@link #MARK} and exits. Nothing
 * else runs in the child, so what it loaded before the mark, it loaded for that.
 */
public final class AccessorClassesMain {

    static final String MARK = "segment mapped and accessed";

    private AccessorClassesMain() {
    }

    /**
     * With the argument {@code deny-boot-loader}, first installs a security manager that denies
     * {@code RuntimePermission("getClassLoader")} (what {@code Class.forName} with the boot
     * loader asks of a caller outside it) and allows everything else (JDK 17 to 23, with
     * {@code -Djava.security.manager=allow} from 18).
     */
    @SuppressWarnings("removal")
    public static void main(String[] args) {
        if (args.length > 0 && args[0].equals("deny-boot-loader")) {
            System.setSecurityManager(new SecurityManager() {
                @Override
                public void checkPermission(java.security.Permission permission) {
                    if (permission instanceof RuntimePermission && permission.getName().equals("getClassLoader")) {
                        throw new SecurityException("denied for the test: " + permission);
                    }
                }
            });
        }
        try (SysVSegment segment = SysVSegment.createPrivate(4096)) {
            segment.remove();
            segment.putLong(8, 42L);
            if (segment.getLong(8) != 42L || segment.getByte(8) != 42) {
                throw new AssertionError("read back something else than 42");
            }
        }
        System.out.println(MARK);
    }
}
