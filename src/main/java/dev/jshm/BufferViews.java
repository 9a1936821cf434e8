package dev.jshm;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;

/**
 * The {@link VarHandle}s that view a segment's direct buffers as shorts, ints, longs, floats and
 * doubles in native byte order: typed access ({@link Segment}) in plain mode, at any alignment,
 * and atomics ({@link JavaAtomics}) in the atomic modes, which on a direct buffer work on the
 * memory itself (aligned indexes only).
 */
final class BufferViews {

    static final VarHandle SHORT = MethodHandles.byteBufferViewVarHandle(short[].class, ByteOrder.nativeOrder());
    static final VarHandle INT = MethodHandles.byteBufferViewVarHandle(int[].class, ByteOrder.nativeOrder());
    static final VarHandle LONG = MethodHandles.byteBufferViewVarHandle(long[].class, ByteOrder.nativeOrder());
    static final VarHandle FLOAT = MethodHandles.byteBufferViewVarHandle(float[].class, ByteOrder.nativeOrder());
    static final VarHandle DOUBLE = MethodHandles.byteBufferViewVarHandle(double[].class, ByteOrder.nativeOrder());

    private BufferViews() {
    }
}
