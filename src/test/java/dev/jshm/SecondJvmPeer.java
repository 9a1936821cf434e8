package dev.jshm;

import java.io.FileDescriptor;
import java.io.FileOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;

/**
 * The other side of {@link InteropTest}'s two-JVM test, run in a second JVM: opens a segment by
 * key, prints what it reads, writes a reply and exits.
 *
 * <p>Arguments: {@code KEY(0x...) TEXT_OFFSET LONG_OFFSET REPLY_OFFSET REPLY_LONG_OFFSET}. It prints
 * {@code read=<string at TEXT_OFFSET>}, {@code long=<hex of the long at LONG_OFFSET>},
 * {@code shmid=<id>} and {@code attachments=<nattch>}, then writes {@link #reply(String)} at
 * REPLY_OFFSET and the bitwise complement of the long at REPLY_LONG_OFFSET. Output is UTF-8
 * whatever the locale. Any failure ends it with a stack trace and a non-zero status.
 */
public final class SecondJvmPeer {

    private SecondJvmPeer() {
    }

    /** The reply the peer writes for {@code text}: both sides compute it. */
    static String reply(String text) {
        return "second JVM read «" + text + "» ✓";
    }

    public static void main(String[] args) {
        if (args.length != 5 || !args[0].startsWith("0x")) {
            System.err.println("usage: SecondJvmPeer KEY(0x...) TEXT_OFFSET LONG_OFFSET REPLY_OFFSET REPLY_LONG_OFFSET");
            System.exit(2);
        }
        PrintStream out = new PrintStream(new FileOutputStream(FileDescriptor.out), true, StandardCharsets.UTF_8);
        int key = Integer.parseUnsignedInt(args[0].substring(2), 16);
        long textOffset = Long.parseLong(args[1]);
        long longOffset = Long.parseLong(args[2]);
        long replyOffset = Long.parseLong(args[3]);
        long replyLongOffset = Long.parseLong(args[4]);
        try (SysVSegment segment = SysVSegment.open(key)) {
            String text = segment.getString(textOffset);
            long value = segment.getLong(longOffset);
            out.println("read=" + text);
            out.println("long=" + Long.toHexString(value));
            out.println("shmid=" + segment.shmid());
            out.println("attachments=" + segment.stat().attachments());
            segment.putString(replyOffset, reply(text));
            segment.putLong(replyLongOffset, ~value);
        }
        out.flush();
    }
}
