package dev.jshm;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jshm.stat.SysVStat;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Every public instance method of a segment, called after {@link Segment#close()}: the ones that
 * touch the mapping throw {@link IllegalStateException}, the ones documented to work after close
 * (plain fields, and the kernel-side operations on the segment's id) do not.
 *
 * <p>The methods are found by reflection, so a new public method that forgets its check fails
 * here: it is either in {@link #WORK_AFTER_CLOSE}, on purpose, or it must throw.
 */
class UseAfterCloseTest {

    /**
     * The methods documented to work after close, by signature. Keep this list in step with the
     * javadoc of {@link Segment} and {@link SysVSegment}; every other public method must throw.
     */
    private static final Set<String> WORK_AFTER_CLOSE = Set.of(
            "size()", "isReadOnly()", "isClosed()", "close()", "key()", "shmid()", "toString()",
            "address()", "usesNativeCopies()", "locator()", "truncatable()",
            // kernel-side: they address the segment by id, not the attachment
            "stat()", "setMode(int)", "setOwner(int,int)", "lock()", "unlock()", "remove()");

    /** Arguments for the kernel-side methods that must not disturb the rest of the test. */
    private static final Map<String, Object[]> SPECIAL_ARGUMENTS = Map.of(
            "setMode(int)", new Object[] {0600},
            "setOwner(int,int)", new Object[] {-1, -1});

    @RegisterExtension
    final TestSysV.Cleanup cleanup = new TestSysV.Cleanup();

    /** The public instance methods a segment has, declared or inherited, but not Object's. */
    static List<Method> publicInstanceMethods() {
        return Arrays.stream(SysVSegment.class.getMethods())
                .filter(m -> !Modifier.isStatic(m.getModifiers()))
                .filter(m -> m.getDeclaringClass() != Object.class)
                .filter(m -> !m.isSynthetic() && !m.isBridge())
                // remove() last, so that the kernel-side calls before it find the segment as it was
                .sorted(Comparator.comparing((Method m) -> signature(m).equals("remove()")).thenComparing(UseAfterCloseTest::signature))
                .collect(Collectors.toList());
    }

    static String signature(Method m) {
        return m.getName() + Arrays.stream(m.getParameterTypes()).map(Class::getSimpleName)
                .collect(Collectors.joining(",", "(", ")"));
    }

    @Test
    void theExemptionListNamesRealMethodsAndTheSearchFindsTheAccessors() {
        Set<String> found = publicInstanceMethods().stream().map(UseAfterCloseTest::signature)
                .collect(Collectors.toCollection(TreeSet::new));
        Set<String> stale = new TreeSet<>(WORK_AFTER_CLOSE);
        stale.removeAll(found);
        assertTrue(stale.isEmpty(), "exempt methods that do not exist (update the list): " + stale);
        // The reflection must see the inherited accessors, or the check below proves nothing.
        for (String accessor : List.of("getByte(long)", "putLong(long,long)", "read(long,byte[],int,int)",
                "write(long,byte[])", "fill(long,long,byte)", "getString(long)", "putString(long,String)",
                "asByteBuffer()", "asByteBuffer(long,int)")) {
            assertTrue(found.contains(accessor), accessor + " not found among " + found);
        }
    }

    @Test
    void everyPublicMethodThrowsAfterCloseUnlessDocumentedToWork() throws Exception {
        SysVSegment segment = cleanup.add(SysVSegment.createPrivate(4096));
        // A second attachment keeps the segment alive after the first closes, so the kernel-side
        // methods find it.
        SysVSegment other = cleanup.add(SysVSegment.openById(segment.shmid(), Access.READ_WRITE));
        String name = segment.toString();
        segment.putLong(0, 42);
        segment.close();

        List<String> failures = new ArrayList<>();
        int checked = 0;
        for (Method method : publicInstanceMethods()) {
            String signature = signature(method);
            Object[] args = SPECIAL_ARGUMENTS.containsKey(signature)
                    ? SPECIAL_ARGUMENTS.get(signature) : defaultArguments(method);
            Throwable thrown = null;
            try {
                method.invoke(segment, args);
            } catch (InvocationTargetException e) {
                thrown = e.getCause();
            }
            checked++;
            if (WORK_AFTER_CLOSE.contains(signature)) {
                if (thrown instanceof IllegalStateException) {
                    failures.add(signature + " is documented to work after close but threw " + thrown);
                } else if (thrown != null && !(thrown instanceof ShmException)) {
                    failures.add(signature + " threw " + thrown);
                }
            } else if (thrown == null) {
                failures.add(signature + " returned normally after close (it must throw IllegalStateException)");
            } else if (!(thrown instanceof IllegalStateException)) {
                failures.add(signature + " threw " + thrown + " instead of IllegalStateException");
            } else if (!thrown.getMessage().contains("closed") || !thrown.getMessage().contains(name)) {
                failures.add(signature + ": the message must say 'closed' and name '" + name + "': "
                        + thrown.getMessage());
            }
        }
        assertTrue(failures.isEmpty(), "after close:\n  " + String.join("\n  ", failures));
        assertTrue(checked > WORK_AFTER_CLOSE.size() + 20, "only " + checked + " methods checked");
        // The calls after close did not reach the shared memory.
        assertEquals(42, other.getLong(0));
    }

    @Test
    void plainFieldsAndKernelSideMethodsWorkAfterClose() {
        SysVSegment segment = cleanup.add(SysVSegment.createPrivate(4097));
        SysVSegment other = cleanup.add(SysVSegment.openById(segment.shmid(), Access.READ_WRITE));
        String name = segment.toString();
        int shmid = segment.shmid();
        assertEquals(2, other.stat().attachments());

        segment.close();

        assertTrue(segment.isClosed());
        assertFalse(other.isClosed());
        assertEquals(4097, segment.size());
        assertFalse(segment.isReadOnly());
        assertEquals(SysVSegment.IPC_PRIVATE, segment.key());
        assertEquals(shmid, segment.shmid());
        assertEquals(name, segment.toString());

        SysVStat stat = segment.stat();
        assertEquals(shmid, stat.shmid());
        assertEquals(1, stat.attachments(), "close detached exactly this attachment");
        segment.setMode(0640);
        assertEquals(0640, other.stat().mode());
        segment.setOwner(-1, -1);
        segment.remove();
        assertTrue(other.stat().removed());
    }

    @Test
    void closeTwiceIsFine() {
        SysVSegment segment = cleanup.add(SysVSegment.createPrivate(4096));
        segment.remove();
        segment.close();
        segment.close();
        assertTrue(segment.isClosed());
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> segment.getInt(0));
        assertTrue(e.getMessage().contains("closed"), e.getMessage());
    }

    /**
     * A view taken before close outlives the attachment without crashing: it reads zeros, and
     * what is written through it never reaches the segment, which another attachment shows.
     */
    @Test
    void viewsTakenBeforeCloseAreHarmlessAfterIt() {
        SysVSegment segment = cleanup.add(TestSysV.createWithFreshKey(8192));
        SysVSegment other = cleanup.add(SysVSegment.open(segment.key()));
        ByteBuffer whole = segment.asByteBuffer();
        ByteBuffer window = segment.asByteBuffer(4000, 200); // crosses a page boundary
        segment.fill(0, 8192, (byte) 0x5a);
        assertEquals(0x5a, whole.get(8191));
        assertEquals(0x5a5a5a5a5a5a5a5aL, window.getLong(96));
        assertEquals(2, other.stat().attachments());

        segment.close();
        assertEquals(1, other.stat().attachments(), "close detached the segment");

        for (int i = 0; i < whole.capacity(); i++) {
            assertEquals(0, whole.get(i), "byte " + i + " of the old view");
        }
        for (int i = 0; i + Long.BYTES <= window.capacity(); i++) {
            assertEquals(0, window.getLong(i), "long at " + i + " of the old window");
        }
        for (int i = 0; i + Long.BYTES <= whole.capacity(); i += Long.BYTES) {
            whole.putLong(i, -1L);
        }
        window.put(0, (byte) 7);
        assertEquals(-1L, whole.getLong(0), "the view still works, on private memory");
        assertEquals(7, whole.get(4000), "the view and the window share that private memory");

        byte[] expected = new byte[8192];
        Arrays.fill(expected, (byte) 0x5a);
        byte[] actual = new byte[(int) other.size()];
        other.read(0, actual);
        assertArrayEquals(expected, actual, "writes after close reached the segment");
    }

    /** Harmless arguments for every parameter type a segment method takes. */
    private static Object[] defaultArguments(Method method) {
        Class<?>[] types = method.getParameterTypes();
        Object[] args = new Object[types.length];
        for (int i = 0; i < types.length; i++) {
            args[i] = defaultValue(types[i], method);
        }
        return args;
    }

    private static Object defaultValue(Class<?> type, Method method) {
        if (type == long.class) {
            return 0L;
        } else if (type == int.class) {
            return 1;
        } else if (type == short.class) {
            return (short) 1;
        } else if (type == byte.class) {
            return (byte) 1;
        } else if (type == char.class) {
            return 'x';
        } else if (type == boolean.class) {
            return false;
        } else if (type == float.class) {
            return 1f;
        } else if (type == double.class) {
            return 1d;
        } else if (type == byte[].class) {
            return new byte[4];
        } else if (type == String.class || type == CharSequence.class) {
            return "x";
        } else if (type == Access.class) {
            return Access.READ_WRITE;
        } else if (type == ByteBuffer.class) {
            return ByteBuffer.allocate(4);
        } else if (type.isEnum()) {
            return type.getEnumConstants()[0];
        }
        throw new AssertionError("no default argument for " + type.getName() + " in " + signature(method)
                + ": add one to UseAfterCloseTest.defaultValue");
    }
}
