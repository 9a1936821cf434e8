package dev.jshm;

import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;

/**
 * The bytes a thread has allocated ({@code com.sun.management.ThreadMXBean}), reached by a method
 * handle: the tests are compiled into the {@code dev.jshm} module, which does not read the
 * management modules, and an exact invocation boxes nothing, so it adds no bytes of its own.
 */
public final class ThreadAllocations {

    private static final MethodHandle ALLOCATED_BYTES;

    static {
        try {
            Object threads = Class.forName("java.lang.management.ManagementFactory").getMethod("getThreadMXBean").invoke(null);
            Class<?> type = Class.forName("com.sun.management.ThreadMXBean");
            if (!(boolean) type.getMethod("isThreadAllocatedMemorySupported").invoke(threads)) {
                throw new IllegalStateException("this JVM does not count the bytes a thread allocates");
            }
            ALLOCATED_BYTES = MethodHandles.publicLookup()
                    .findVirtual(type, "getThreadAllocatedBytes", MethodType.methodType(long.class, long.class))
                    .bindTo(threads);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    private ThreadAllocations() {
    }

    /** The bytes the current thread has allocated so far. */
    public static long ofCurrentThread() {
        return of(Thread.currentThread().getId());
    }

    /** The bytes the thread with id {@code threadId} has allocated so far. */
    public static long of(long threadId) {
        try {
            return (long) ALLOCATED_BYTES.invokeExact(threadId);
        } catch (Throwable e) {
            throw new AssertionError("getThreadAllocatedBytes(" + threadId + ")", e);
        }
    }
}
