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
 * User and group names from {@code /etc/passwd} and {@code /etc/group}, as {@code ls} and
 * {@code ipcs} show owners. A user or group that is not there (NSS, LDAP) is shown by number;
 * the tool never fails for want of a name.
 */
final class Users {

    private final Map<Long, String> names = new HashMap<>();
    private final Map<String, Long> ids = new HashMap<>();
    private final Map<Long, String> groups = new HashMap<>();

    private Users() {
    }

    /** This machine's users and groups. */
    static Users system() {
        return read(Path.of("/etc/passwd"), Path.of("/etc/group"));
    }

    /**
     * The users of a passwd-format file and the groups of a group-format file (name, password,
     * id: the same first three fields); an unreadable file gives no names.
     */
    static Users read(Path passwd, Path group) {
        Users users = new Users();
        readIds(passwd, (name, uid) -> {
            users.names.putIfAbsent(uid, name);
            users.ids.putIfAbsent(name, uid);
        });
        readIds(group, (name, gid) -> users.groups.putIfAbsent(gid, name));
        return users;
    }

    /** Each {@code name:password:id:...} line's name and id. */
    private static void readIds(Path file, java.util.function.ObjLongConsumer<String> entry) {
        try (BufferedReader reader = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            for (String line = reader.readLine(); line != null; line = reader.readLine()) {
                String[] fields = line.split(":", -1);
                if (fields.length < 3 || line.startsWith("#")) {
                    continue;
                }
                try {
                    entry.accept(fields[0], Long.parseLong(fields[2]));
                } catch (NumberFormatException e) {
                    // Not an entry ("+" NIS entries and the like): skip it.
                }
            }
        } catch (IOException | RuntimeException e) {
            // No names: owners are shown by number.
        }
    }

    /** The name of {@code uid}, or the number as text. */
    String name(long uid) {
        return names.getOrDefault(uid, Long.toString(uid));
    }

    /** The name of group {@code gid}, or the number as text. */
    String group(long gid) {
        return groups.getOrDefault(gid, Long.toString(gid));
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
