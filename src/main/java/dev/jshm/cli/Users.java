package dev.jshm.cli;

import java.io.BufferedReader;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.OptionalLong;

/**
 * User names and ids from {@code /etc/passwd}, as {@code ls} and {@code ipcs} show owners. A user
 * that is not there (NSS, LDAP) is shown by number; the tool never fails for want of a name.
 */
final class Users {

    private final Map<Long, String> names = new HashMap<>();
    private final Map<String, Long> ids = new HashMap<>();

    private Users() {
    }

    /** This machine's users. */
    static Users system() {
        return read(Path.of("/etc/passwd"));
    }

    /** The users of a passwd-format file; an unreadable file gives no names. */
    static Users read(Path passwd) {
        Users users = new Users();
        try (BufferedReader reader = Files.newBufferedReader(passwd, StandardCharsets.UTF_8)) {
            for (String line = reader.readLine(); line != null; line = reader.readLine()) {
                String[] fields = line.split(":", -1);
                if (fields.length < 3 || line.startsWith("#")) {
                    continue;
                }
                try {
                    long uid = Long.parseLong(fields[2]);
                    users.names.putIfAbsent(uid, fields[0]);
                    users.ids.putIfAbsent(fields[0], uid);
                } catch (NumberFormatException e) {
                    // Not a passwd line ("+" NIS entries and the like): skip it.
                }
            }
        } catch (IOException | RuntimeException e) {
            // No names: owners are shown by number.
        }
        return users;
    }

    /** The name of {@code uid}, or the number as text. */
    String name(long uid) {
        return names.getOrDefault(uid, Long.toString(uid));
    }

    /** The uid that {@code user} (a name or a number) stands for, if known. */
    OptionalLong uid(String user) {
        Long id = ids.get(user);
        if (id != null) {
            return OptionalLong.of(id);
        }
        if (user.matches("[0-9]{1,10}")) {
            return OptionalLong.of(Long.parseLong(user));
        }
        return OptionalLong.empty();
    }

    /** This process's effective uid (the owner of {@code /proc/self}). */
    static long effectiveUid() {
        try {
            return ((Number) Files.getAttribute(Path.of("/proc/self"), "unix:uid")).longValue();
        } catch (IOException | RuntimeException e) {
            throw new IllegalStateException("cannot tell this process's user id from /proc/self: " + e, e);
        }
    }
}
