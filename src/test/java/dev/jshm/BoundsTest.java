package dev.jshm;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.math.BigInteger;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import org.junit.jupiter.api.function.Executable;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Every access with every offset and length near and far outside a segment: the valid ones do
 * exactly what they say, the invalid ones throw {@link IndexOutOfBoundsException} naming offset,
 * length and size, and a refused write leaves every byte of the segment as it was.
 *
 * <p>Segments hold {@link #patternByte(long)} before each case, so reads have a
 * known answer. The oracle for "fits" is computed with {@link BigInteger}, not with the
 * library's own arithmetic.
 */
class BoundsTest {

    private static final long[] SIZES = {4096, 4097};

    /** Bytes 01 02 .. 08: none of them is a pattern byte, so a write is always visible. */
    private static final long VALUE = 0x0807060504030201L;

    /** A typed access of one width: get and put as raw bits. */
    enum Type {
        BYTE(Byte.BYTES) {
            long get(Segment s, long offset) {
                return s.getByte(offset) & 0xffL;
            }

            void put(Segment s, long offset, long bits) {
                s.putByte(offset, (byte) bits);
            }
        },
        SHORT(Short.BYTES) {
            long get(Segment s, long offset) {
                return s.getShort(offset) & 0xffffL;
            }

            void put(Segment s, long offset, long bits) {
                s.putShort(offset, (short) bits);
            }
        },
        INT(Integer.BYTES) {
            long get(Segment s, long offset) {
                return s.getInt(offset) & 0xffffffffL;
            }

            void put(Segment s, long offset, long bits) {
                s.putInt(offset, (int) bits);
            }
        },
        LONG(Long.BYTES) {
            long get(Segment s, long offset) {
                return s.getLong(offset);
            }

            void put(Segment s, long offset, long bits) {
                s.putLong(offset, bits);
            }
        },
        FLOAT(Float.BYTES) {
            long get(Segment s, long offset) {
                return Float.floatToRawIntBits(s.getFloat(offset)) & 0xffffffffL;
            }

            void put(Segment s, long offset, long bits) {
                s.putFloat(offset, Float.intBitsToFloat((int) bits));
            }
        },
        DOUBLE(Double.BYTES) {
            long get(Segment s, long offset) {
                return Double.doubleToRawLongBits(s.getDouble(offset));
            }

            void put(Segment s, long offset, long bits) {
                s.putDouble(offset, Double.longBitsToDouble(bits));
            }
        };

        final int width;

        Type(int width) {
            this.width = width;
        }

        abstract long get(Segment s, long offset);

        abstract void put(Segment s, long offset, long bits);

        long mask() {
            return width == Long.BYTES ? -1L : (1L << (8 * width)) - 1;
        }
    }

    // ---- argument sources -----------------------------------------------------------------

    /** The offsets to try for an access of {@code length} bytes in a segment of {@code size}. */
    static long[] offsetsFor(long size, long length) {
        Set<Long> offsets = new LinkedHashSet<>(List.of(-1L, 0L, 1L, size - length, size - length + 1, size - 1,
                size, size + 1, (long) Integer.MIN_VALUE, (long) Integer.MAX_VALUE, Long.MIN_VALUE, Long.MAX_VALUE));
        return offsets.stream().mapToLong(Long::longValue).toArray();
    }

    static int[] intLengths(long size) {
        return new int[] {-1, 0, 1, (int) size, (int) size + 1, Integer.MAX_VALUE};
    }

    static Stream<Arguments> typedCases() {
        List<Arguments> cases = new ArrayList<>();
        for (long size : SIZES) {
            for (Type type : Type.values()) {
                for (long offset : offsetsFor(size, type.width)) {
                    cases.add(Arguments.of(size, type, offset));
                }
            }
        }
        return cases.stream();
    }

    /** Segment offset and length, with an array exactly as long, one byte short, and longer than the segment. */
    static Stream<Arguments> bulkCases() {
        List<Arguments> cases = new ArrayList<>();
        for (long size : SIZES) {
            for (int length : intLengths(size)) {
                Set<Integer> arrayLengths = new LinkedHashSet<>();
                if (length >= 0 && length <= size + 1) {
                    arrayLengths.add(length);
                    arrayLengths.add(Math.max(0, length - 1));
                }
                arrayLengths.add(0);
                arrayLengths.add((int) size + 16);
                for (long offset : offsetsFor(size, length)) {
                    for (int arrayLength : arrayLengths) {
                        cases.add(Arguments.of(size, offset, length, arrayLength));
                    }
                }
            }
        }
        return cases.stream();
    }

    /** Array offset and length against an array of 16 bytes; the segment side always fits. */
    static Stream<Arguments> arrayRangeCases() {
        int[][] ranges = {
            {0, 16}, {15, 1}, {16, 0}, {0, 0}, // valid, up to the very end
            {-1, 1}, {-1, 0}, {16, 1}, {17, 0}, {15, 2}, {0, 17}, {0, -1}, {1, -1},
            {Integer.MIN_VALUE, 1}, {Integer.MAX_VALUE, 1}, {1, Integer.MAX_VALUE}, {Integer.MAX_VALUE, Integer.MAX_VALUE},
        };
        List<Arguments> cases = new ArrayList<>();
        for (long size : SIZES) {
            for (int[] range : ranges) {
                cases.add(Arguments.of(size, range[0], range[1]));
            }
        }
        return cases.stream();
    }

    static Stream<Arguments> wholeArrayCases() {
        List<Arguments> cases = new ArrayList<>();
        for (long size : SIZES) {
            for (int arrayLength : new int[] {0, 1, (int) size, (int) size + 1}) {
                for (long offset : offsetsFor(size, arrayLength)) {
                    cases.add(Arguments.of(size, offset, arrayLength));
                }
            }
        }
        return cases.stream();
    }

    static Stream<Arguments> fillCases() {
        List<Arguments> cases = new ArrayList<>();
        for (long size : SIZES) {
            for (long length : new long[] {-1, 0, 1, size, size + 1, Integer.MAX_VALUE, Long.MAX_VALUE, Long.MIN_VALUE}) {
                for (long offset : offsetsFor(size, length)) {
                    cases.add(Arguments.of(size, offset, length));
                }
            }
        }
        return cases.stream();
    }

    static Stream<Arguments> stringOffsetCases() {
        List<Arguments> cases = new ArrayList<>();
        for (long size : SIZES) {
            for (long offset : offsetsFor(size, 0)) {
                cases.add(Arguments.of(size, offset));
            }
        }
        return cases.stream();
    }

    /** Offset and an int length: getString's maxLength, asByteBuffer's length. */
    static Stream<Arguments> intLengthCases() {
        List<Arguments> cases = new ArrayList<>();
        for (long size : SIZES) {
            for (int length : intLengths(size)) {
                for (long offset : offsetsFor(size, length)) {
                    cases.add(Arguments.of(size, offset, length));
                }
            }
        }
        return cases.stream();
    }

    static Stream<Arguments> putStringCases() {
        List<Arguments> cases = new ArrayList<>();
        for (long size : SIZES) {
            List<String> texts = List.of("", "hello", "h\u00e9llo w\u00f6rld \u20ac", "x".repeat((int) size - 1),
                    "x".repeat((int) size));
            for (String text : texts) {
                int width = text.getBytes(StandardCharsets.UTF_8).length + 1;
                for (long offset : offsetsFor(size, width)) {
                    // The long texts only make the printed case names long: show their length.
                    cases.add(Arguments.of(size, offset, text.length() > 32 ? "x * " + text.length() : text, text));
                }
            }
        }
        return cases.stream();
    }

    // ---- typed access ---------------------------------------------------------------------

    @ParameterizedTest(name = "size={0} {1} offset={2}")
    @MethodSource("typedCases")
    void typedGetAndPut(long size, Type type, long offset) {
        try (SysVSegment s = patterned(size)) {
            byte[] before = snapshot(s);
            if (fits(offset, type.width, size)) {
                assertEquals(nativeOrderBits(before, (int) offset, type.width), type.get(s, offset));
                type.put(s, offset, VALUE);
                byte[] expected = before.clone();
                putNativeOrder(expected, (int) offset, type.width, VALUE);
                assertArrayEquals(expected, snapshot(s), "only the " + type.width + " bytes at " + offset + " change");
                assertEquals(VALUE & type.mask(), type.get(s, offset));
            } else {
                assertRefused(() -> type.get(s, offset), offset, type.width, size);
                assertRefused(() -> type.put(s, offset, VALUE), offset, type.width, size);
                assertArrayEquals(before, snapshot(s), "a refused put changed the segment");
            }
        }
    }

    // ---- bulk copies ------------------------------------------------------------------------

    @ParameterizedTest(name = "size={0} offset={1} length={2} array={3}")
    @MethodSource("bulkCases")
    void readAndWriteWithArrayRange(long size, long offset, int length, int arrayLength) {
        try (SysVSegment s = patterned(size)) {
            byte[] before = snapshot(s);
            boolean arrayFits = length >= 0 && length <= arrayLength;
            boolean valid = arrayFits && fits(offset, length, size);

            byte[] dst = sentinel(arrayLength);
            byte[] src = distinct(arrayLength);
            if (valid) {
                s.read(offset, dst, 0, length);
                byte[] expectedDst = sentinel(arrayLength);
                System.arraycopy(before, (int) offset, expectedDst, 0, length);
                assertArrayEquals(expectedDst, dst, "read copies exactly the range");

                s.write(offset, src, 0, length);
                byte[] expected = before.clone();
                System.arraycopy(src, 0, expected, (int) offset, length);
                assertArrayEquals(expected, snapshot(s), "write copies exactly the range");
            } else {
                IndexOutOfBoundsException read = assertThrows(IndexOutOfBoundsException.class,
                        () -> s.read(offset, dst, 0, length));
                IndexOutOfBoundsException write = assertThrows(IndexOutOfBoundsException.class,
                        () -> s.write(offset, src, 0, length));
                if (arrayFits) {
                    assertNamesRange(read, offset, length, size);
                    assertNamesRange(write, offset, length, size);
                } else {
                    // The array is checked first: its message names the length and the array's.
                    assertMentions(read, length);
                    assertMentions(write, length);
                }
                assertArrayEquals(sentinel(arrayLength), dst, "a refused read changed the array");
                assertArrayEquals(before, snapshot(s), "a refused write changed the segment");
            }
        }
    }

    @ParameterizedTest(name = "size={0} arrayOffset={1} length={2}")
    @MethodSource("arrayRangeCases")
    void readAndWriteCheckTheArrayRange(long size, int arrayOffset, int length) {
        try (SysVSegment s = patterned(size)) {
            byte[] before = snapshot(s);
            byte[] dst = sentinel(16);
            byte[] src = distinct(16);
            boolean valid = arrayOffset >= 0 && length >= 0 && (long) arrayOffset + length <= 16;
            if (valid) {
                s.read(0, dst, arrayOffset, length);
                byte[] expectedDst = sentinel(16);
                System.arraycopy(before, 0, expectedDst, arrayOffset, length);
                assertArrayEquals(expectedDst, dst);

                s.write(0, src, arrayOffset, length);
                byte[] expected = before.clone();
                System.arraycopy(src, arrayOffset, expected, 0, length);
                assertArrayEquals(expected, snapshot(s));
            } else {
                IndexOutOfBoundsException read = assertThrows(IndexOutOfBoundsException.class,
                        () -> s.read(0, dst, arrayOffset, length));
                IndexOutOfBoundsException write = assertThrows(IndexOutOfBoundsException.class,
                        () -> s.write(0, src, arrayOffset, length));
                assertMentions(read, arrayOffset);
                assertMentions(write, arrayOffset);
                assertArrayEquals(sentinel(16), dst, "a refused read changed the array");
                assertArrayEquals(before, snapshot(s), "a refused write changed the segment");
            }
        }
    }

    @ParameterizedTest(name = "size={0} offset={1} array={2}")
    @MethodSource("wholeArrayCases")
    void readAndWriteWholeArrays(long size, long offset, int arrayLength) {
        try (SysVSegment s = patterned(size)) {
            byte[] before = snapshot(s);
            byte[] dst = sentinel(arrayLength);
            byte[] src = distinct(arrayLength);
            if (fits(offset, arrayLength, size)) {
                s.read(offset, dst);
                assertArrayEquals(Arrays.copyOfRange(before, (int) offset, (int) offset + arrayLength), dst);
                s.write(offset, src);
                byte[] expected = before.clone();
                System.arraycopy(src, 0, expected, (int) offset, arrayLength);
                assertArrayEquals(expected, snapshot(s));
            } else {
                assertRefused(() -> s.read(offset, dst), offset, arrayLength, size);
                assertRefused(() -> s.write(offset, src), offset, arrayLength, size);
                assertArrayEquals(sentinel(arrayLength), dst, "a refused read changed the array");
                assertArrayEquals(before, snapshot(s), "a refused write changed the segment");
            }
        }
    }

    @ParameterizedTest(name = "size={0} offset={1} length={2}")
    @MethodSource("fillCases")
    void fill(long size, long offset, long length) {
        try (SysVSegment s = patterned(size)) {
            byte[] before = snapshot(s);
            if (fits(offset, length, size)) {
                s.fill(offset, length, (byte) 0x11);
                byte[] expected = before.clone();
                Arrays.fill(expected, (int) offset, (int) (offset + length), (byte) 0x11);
                assertArrayEquals(expected, snapshot(s));
            } else {
                assertRefused(() -> s.fill(offset, length, (byte) 0x11), offset, length, size);
                assertArrayEquals(before, snapshot(s), "a refused fill changed the segment");
            }
        }
    }

    // ---- strings ------------------------------------------------------------------------------

    @ParameterizedTest(name = "size={0} offset={1}")
    @MethodSource("stringOffsetCases")
    void getStringToTheEnd(long size, long offset) {
        try (SysVSegment s = patterned(size)) {
            if (fits(offset, 0, size)) {
                assertEquals(patternString(offset, size), s.getString(offset));
            } else {
                IndexOutOfBoundsException e = assertThrows(IndexOutOfBoundsException.class, () -> s.getString(offset));
                assertToken(e, "offset=" + offset);
                assertToken(e, "size=" + size);
            }
        }
    }

    @ParameterizedTest(name = "size={0} offset={1} maxLength={2}")
    @MethodSource("intLengthCases")
    void getStringWithMaxLength(long size, long offset, int maxLength) {
        try (SysVSegment s = patterned(size)) {
            if (fits(offset, maxLength, size)) {
                assertEquals(patternString(offset, offset + maxLength), s.getString(offset, maxLength));
            } else {
                assertRefused(() -> s.getString(offset, maxLength), offset, maxLength, size);
            }
        }
    }

    @ParameterizedTest(name = "size={0}")
    @ValueSource(longs = {4096, 4097})
    void getStringStopsAtTheFirstNul(long size) {
        try (SysVSegment s = patterned(size)) {
            s.putByte(10, (byte) 0);
            assertEquals(patternString(0, 10), s.getString(0));
            assertEquals(patternString(0, 5), s.getString(0, 5));
            assertEquals(patternString(0, 10), s.getString(0, 11));
            assertEquals("", s.getString(10));
            assertEquals(patternString(11, size), s.getString(11));
        }
    }

    @ParameterizedTest(name = "size={0} offset={1} text={2}")
    @MethodSource("putStringCases")
    void putString(long size, long offset, String shown, String text) {
        byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
        int width = bytes.length + 1;
        try (SysVSegment s = patterned(size)) {
            byte[] before = snapshot(s);
            if (fits(offset, width, size)) {
                assertEquals(bytes.length, s.putString(offset, text));
                byte[] expected = before.clone();
                System.arraycopy(bytes, 0, expected, (int) offset, bytes.length);
                expected[(int) offset + bytes.length] = 0;
                assertArrayEquals(expected, snapshot(s));
                assertEquals(text, s.getString(offset));
            } else {
                assertRefused(() -> s.putString(offset, text), offset, width, size);
                assertArrayEquals(before, snapshot(s), "a refused putString changed the segment");
            }
        }
    }

    // ---- views --------------------------------------------------------------------------------

    @ParameterizedTest(name = "size={0} offset={1} length={2}")
    @MethodSource("intLengthCases")
    void asByteBufferWindow(long size, long offset, int length) {
        try (SysVSegment s = patterned(size)) {
            byte[] before = snapshot(s);
            if (fits(offset, length, size)) {
                ByteBuffer view = s.asByteBuffer(offset, length);
                assertEquals(length, view.capacity());
                assertEquals(0, view.position());
                assertEquals(length, view.limit());
                assertEquals(ByteOrder.nativeOrder(), view.order());
                byte[] seen = new byte[length];
                view.get(0, seen);
                assertArrayEquals(Arrays.copyOfRange(before, (int) offset, (int) offset + length), seen);
                if (length > 0) {
                    view.put(length - 1, (byte) 0x22);
                    assertEquals(0x22, s.getByte(offset + length - 1), "the view writes to the segment");
                }
            } else {
                assertRefused(() -> s.asByteBuffer(offset, length), offset, length, size);
                assertArrayEquals(before, snapshot(s));
            }
        }
    }

    @ParameterizedTest(name = "size={0}")
    @ValueSource(longs = {4096, 4097})
    void asByteBufferWhole(long size) {
        try (SysVSegment s = patterned(size)) {
            ByteBuffer view = s.asByteBuffer();
            assertEquals(size, view.capacity());
            byte[] seen = new byte[(int) size];
            view.get(0, seen);
            assertArrayEquals(snapshot(s), seen);
            assertThrows(IndexOutOfBoundsException.class, () -> view.get((int) size));
            assertThrows(IndexOutOfBoundsException.class, () -> view.getLong((int) size - 7));
        }
    }

    // ---- chunk boundaries: the mapping is cut into 1 GiB buffers ------------------------------

    /**
     * Empty ranges at the very end are valid everywhere, also when the size is a whole number
     * of chunks (1 GiB), where offset == size is the start of a chunk that does not exist.
     * Only a few pages of these segments are ever touched.
     */
    @ParameterizedTest(name = "size={0}")
    @ValueSource(longs = {Mapping.CHUNK_SIZE, Mapping.CHUNK_SIZE + 4097, 2 * Mapping.CHUNK_SIZE})
    void emptyRangesAtTheEndOfLargeSegments(long size) {
        SysVSegment s = SysVSegment.createPrivate(size);
        try (s) {
            s.remove();
            assertEquals("", s.getString(size));
            assertEquals("", s.getString(size, 0));
            s.read(size, new byte[0]);
            s.write(size, new byte[0]);
            s.fill(size, 0, (byte) 1);
            assertEquals(1, s.asByteBuffer(size - 1, 1).capacity());
            ByteBuffer empty = assertDoesNotThrow(() -> s.asByteBuffer(size, 0),
                    "asByteBuffer(size, 0) is an empty range at the end: valid as for any other size");
            assertEquals(0, empty.capacity());
            assertRefused(() -> s.asByteBuffer(size, 1), size, 1, size);
            assertRefused(() -> s.getByte(size), size, 1, size);
        }
    }

    /** Typed accesses and views that straddle the 1 GiB cut see the same bytes as copies do. */
    @ParameterizedTest(name = "{0}")
    @EnumSource(Type.class)
    void accessesAcrossTheChunkBoundary(Type type) {
        long boundary = Mapping.CHUNK_SIZE;
        long size = boundary + 4097;
        try (SysVSegment s = SysVSegment.createPrivate(size)) {
            s.remove();
            for (long offset = boundary - type.width; offset <= boundary; offset++) {
                s.fill(boundary - 16, 32, (byte) 0);
                type.put(s, offset, VALUE);
                assertEquals(VALUE & type.mask(), type.get(s, offset), "at " + offset);

                byte[] around = new byte[32];
                s.read(boundary - 16, around);
                byte[] expected = new byte[32];
                putNativeOrder(expected, (int) (offset - (boundary - 16)), type.width, VALUE);
                assertArrayEquals(expected, around, "bytes around the boundary after a put at " + offset);

                ByteBuffer view = s.asByteBuffer(boundary - 16, 32);
                byte[] seen = new byte[32];
                view.get(0, seen);
                assertArrayEquals(expected, seen, "a view across the boundary");
            }
            assertRefused(() -> type.get(s, size - type.width + 1), size - type.width + 1, type.width, size);
        }
    }

    // ---- helpers --------------------------------------------------------------------------------

    /** [offset, offset + length) inside [0, size), computed without overflow. */
    static boolean fits(long offset, long length, long size) {
        BigInteger end = BigInteger.valueOf(offset).add(BigInteger.valueOf(length));
        return offset >= 0 && length >= 0 && end.compareTo(BigInteger.valueOf(size)) <= 0;
    }

    static void assertRefused(Executable access, long offset, long length, long size) {
        IndexOutOfBoundsException e = assertThrows(IndexOutOfBoundsException.class, access,
                "offset=" + offset + " length=" + length + " size=" + size + " must be refused");
        assertNamesRange(e, offset, length, size);
    }

    static void assertNamesRange(IndexOutOfBoundsException e, long offset, long length, long size) {
        assertToken(e, "offset=" + offset);
        assertToken(e, "length=" + length);
        assertToken(e, "size=" + size);
    }

    /** The message has {@code token}, not as part of a longer number. */
    static void assertToken(Exception e, String token) {
        String message = String.valueOf(e.getMessage());
        Pattern p = Pattern.compile("(?<![A-Za-z0-9_])" + Pattern.quote(token) + "(?![0-9])");
        assertTrue(p.matcher(message).find(), "expected '" + token + "' in: " + message + " (" + e.getClass().getName() + ")");
    }

    static void assertMentions(Exception e, long number) {
        String message = String.valueOf(e.getMessage());
        Pattern p = Pattern.compile("(?<![0-9])" + Pattern.quote(Long.toString(number)) + "(?![0-9])");
        assertTrue(p.matcher(message).find(), "expected " + number + " in: " + message);
    }

    /**
     * A new private segment already marked for removal, so it vanishes when it is closed (or
     * when the test JVM dies). Its bytes follow {@link #patternByte(long)}.
     */
    static SysVSegment patterned(long size) {
        SysVSegment segment = SysVSegment.createPrivate(size);
        try {
            segment.remove();
            byte[] bytes = new byte[(int) size];
            for (int i = 0; i < bytes.length; i++) {
                bytes[i] = patternByte(i);
            }
            segment.write(0, bytes);
            return segment;
        } catch (RuntimeException | Error e) {
            segment.close();
            throw e;
        }
    }

    /** 'A'..'Z' over and over: never NUL, plain ASCII, so strings read from it are predictable. */
    static byte patternByte(long index) {
        return (byte) ('A' + index % 26);
    }

    /** The pattern bytes {@code [from, to)} as a string. */
    static String patternString(long from, long to) {
        byte[] bytes = new byte[(int) (to - from)];
        for (int i = 0; i < bytes.length; i++) {
            bytes[i] = patternByte(from + i);
        }
        return new String(bytes, StandardCharsets.US_ASCII);
    }

    /** Every byte of the segment, read with one copy. */
    static byte[] snapshot(Segment segment) {
        byte[] bytes = new byte[(int) segment.size()];
        segment.read(0, bytes);
        return bytes;
    }

    /** {@code bytes} little- or big-endian as the platform is: what a typed access reads. */
    static long nativeOrderBits(byte[] bytes, int offset, int width) {
        long bits = 0;
        for (int i = 0; i < width; i++) {
            long b = bytes[offset + i] & 0xffL;
            int shift = ByteOrder.nativeOrder() == ByteOrder.LITTLE_ENDIAN ? 8 * i : 8 * (width - 1 - i);
            bits |= b << shift;
        }
        return bits;
    }

    static void putNativeOrder(byte[] bytes, int offset, int width, long bits) {
        for (int i = 0; i < width; i++) {
            int shift = ByteOrder.nativeOrder() == ByteOrder.LITTLE_ENDIAN ? 8 * i : 8 * (width - 1 - i);
            bytes[offset + i] = (byte) (bits >>> shift);
        }
    }

    /** An array of 0x7f: a byte the pattern never has, so a stray write shows. */
    static byte[] sentinel(int length) {
        byte[] bytes = new byte[length];
        Arrays.fill(bytes, (byte) 0x7f);
        return bytes;
    }

    /** Bytes 1, 2, .. 60, 1, ..: never a pattern byte nor the sentinel. */
    static byte[] distinct(int length) {
        byte[] bytes = new byte[length];
        for (int i = 0; i < length; i++) {
            bytes[i] = (byte) (1 + i % 60);
        }
        return bytes;
    }
}
