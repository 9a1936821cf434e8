package dev.jshm.internal;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.IntBuffer;
import java.nio.LongBuffer;

/**
 * The {@link VarHandle}s that view a direct buffer of shared memory as shorts, ints, longs,
 * floats and doubles in native byte order, one set for every package of the module: typed access
 * in plain mode, at any alignment; atomics, the ring's header and records, signal blocks and the
 * fault table in the atomic modes, which on a direct buffer work on the memory itself (aligned
 * indexes only). Unlike a buffer's own {@code getLong/putLong}, a view is no virtual call: it
 * reads the buffer's fields itself, so the JIT checks no class before the access.
 *
 * <p>For plain accesses at aligned places on a hot path, {@link #longs} and {@link #ints} view a
 * buffer as a {@link LongBuffer} or {@link IntBuffer} instead. An access through one of the
 * {@code VarHandle}s above passes the JDK's memory accessor a heap array read from the buffer
 * (null for a direct one, which the JIT cannot know), and checks the buffer's heap array,
 * read-only flag, memory segment, limit and, in the atomic modes, alignment; the typed buffer of
 * a direct buffer passes no array at all and checks its class (one implementation per call site
 * in practice), memory segment and limit. Each check
 * the JIT keeps is an exit to the deoptimizer in the compiled code, and code above
 * {@code -XX:InlineSmallCode} is not inlined into its caller (see the ring's {@code offer}).
 */
public final class BufferViews {

    public static final VarHandle SHORT = MethodHandles.byteBufferViewVarHandle(short[].class, ByteOrder.nativeOrder());
    public static final VarHandle INT = MethodHandles.byteBufferViewVarHandle(int[].class, ByteOrder.nativeOrder());
    public static final VarHandle LONG = MethodHandles.byteBufferViewVarHandle(long[].class, ByteOrder.nativeOrder());
    public static final VarHandle FLOAT = MethodHandles.byteBufferViewVarHandle(float[].class, ByteOrder.nativeOrder());
    public static final VarHandle DOUBLE = MethodHandles.byteBufferViewVarHandle(double[].class, ByteOrder.nativeOrder());

    private BufferViews() {
    }

    /**
     * A release store through a typed view: a release fence, then a plain store, which is what
     * HotSpot emits for {@code setRelease} on x86-64 (a plain {@code mov}); on aarch64 the fence
     * is a {@code dmb ish} where {@code setRelease} would be one {@code stlr}. Aligned 4- and
     * 8-byte stores to direct memory are single-copy atomic on 64-bit platforms.
     */
    public static void putIntRelease(IntBuffer ints, int index, int value) {
        VarHandle.releaseFence();
        ints.put(index, value);
    }

    /** {@link #putIntRelease} for a long. */
    public static void putLongRelease(LongBuffer longs, int index, long value) {
        VarHandle.releaseFence();
        longs.put(index, value);
    }

    /**
     * An acquire load through a typed view: a plain load, then an acquire fence, which is what
     * HotSpot emits for {@code getAcquire} on x86-64; on aarch64 a {@code ldr} and {@code dmb
     * ishld} where {@code getAcquire} would be one {@code ldar}.
     */
    public static int getIntAcquire(IntBuffer ints, int index) {
        int value = ints.get(index);
        VarHandle.acquireFence();
        return value;
    }

    /** {@return the whole of {@code buffer} (from 0 to its capacity) as longs in native order: index = byte index / 8} */
    public static LongBuffer longs(ByteBuffer buffer) {
        return buffer.duplicate().clear().order(ByteOrder.nativeOrder()).asLongBuffer();
    }

    /** {@return the whole of {@code buffer} (from 0 to its capacity) as ints in native order: index = byte index / 4} */
    public static IntBuffer ints(ByteBuffer buffer) {
        return buffer.duplicate().clear().order(ByteOrder.nativeOrder()).asIntBuffer();
    }
}
