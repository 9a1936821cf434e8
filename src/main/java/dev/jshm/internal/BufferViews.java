package dev.jshm.internal;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;

/**
 * The {@link VarHandle}s that view a direct buffer of shared memory as shorts, ints, longs,
 * floats and doubles in native byte order, one set for every package of the module: typed access
 * in plain mode, at any alignment; atomics, the ring's header and records, signal blocks and the
 * fault table in the atomic modes, which on a direct buffer work on the memory itself (aligned
 * indexes only). Unlike a buffer's own {@code getLong/putLong}, a view is no virtual call: it
 * reads the buffer's fields itself, so the JIT checks no class before the access.
 */
public final class BufferViews {

    public static final VarHandle SHORT = MethodHandles.byteBufferViewVarHandle(short[].class, ByteOrder.nativeOrder());
    public static final VarHandle INT = MethodHandles.byteBufferViewVarHandle(int[].class, ByteOrder.nativeOrder());
    public static final VarHandle LONG = MethodHandles.byteBufferViewVarHandle(long[].class, ByteOrder.nativeOrder());
    public static final VarHandle FLOAT = MethodHandles.byteBufferViewVarHandle(float[].class, ByteOrder.nativeOrder());
    public static final VarHandle DOUBLE = MethodHandles.byteBufferViewVarHandle(double[].class, ByteOrder.nativeOrder());

    private BufferViews() {
    }
}
