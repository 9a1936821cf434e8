package dev.jshm;

/**
 * Run in a child JVM by {@link CreateErrorTest}: makes every creation fail with an
 * {@link Error} after the kernel made the object, and reports what each create threw. The Error
 * is injected where the first mapping initializes the library's {@code Mapping} class, whose
 * loading of the buffer accessors' classes asks the security manager: this one answers with an
 * {@link AssertionError} (JDK 17 to 23; {@code -Djava.security.manager=allow} from 18), which
 * the class's initialization passes on as it is. The class stays unusable after that, so the
 * next create fails with a {@link NoClassDefFoundError}.
 *
 * <p>Arguments: the POSIX name to create. Prints {@code sysv: <what it threw>} and
 * {@code posix: <what it threw>}.
 */
public final class CreateErrorMain {

    private CreateErrorMain() {
    }

    @SuppressWarnings("removal")
    public static void main(String[] args) {
        Native.ensureAvailable(); // the library loads before the manager refuses anything
        System.setSecurityManager(new SecurityManager() {
            @Override
            public void checkPermission(java.security.Permission permission) {
                if (permission instanceof RuntimePermission && permission.getName().equals("getClassLoader")) {
                    throw new AssertionError("injected: " + permission);
                }
            }
        });
        System.out.println("sysv: " + outcome(() -> SysVSegment.createPrivate(4096).close()));
        System.out.println("posix: " + outcome(() -> PosixSegment.create(args[0], 4096).close()));
    }

    private static String outcome(Runnable create) {
        try {
            create.run();
            return "created";
        } catch (Throwable t) {
            return t.getClass().getName();
        }
    }
}
