package dev.jshm;

/**
 * The child JVM of {@link ChildProcessTest}: finds its segment the documented way
 * ({@link SegmentLocator#fromEnvironment()}), prints what the parent left (a string at 0, a long
 * at 512) and replies (a string at 1024, the long plus one at 1536).
 */
public final class LocatorChild {

    private LocatorChild() {
    }

    public static void main(String[] args) {
        SegmentLocator locator = SegmentLocator.fromEnvironment();
        try (Segment segment = locator.open(Access.READ_WRITE)) {
            System.out.println("locator=" + System.getenv(SegmentLocator.ENVIRONMENT_VARIABLE));
            System.out.println("kind=" + locator.kind());
            System.out.println("class=" + segment.getClass().getSimpleName());
            System.out.println("size=" + segment.size());
            System.out.println("text=" + segment.getString(0));
            long value = segment.getLong(512);
            System.out.println("long=" + value);
            segment.putString(1024, "reply from the " + locator.kind() + " child");
            segment.putLong(1536, value + 1);
        }
    }
}
