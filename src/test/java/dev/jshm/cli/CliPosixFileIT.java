package dev.jshm.cli;

import static dev.jshm.cli.JshmRunner.assertFailure;
import static dev.jshm.cli.JshmRunner.assertOk;
import static dev.jshm.cli.JshmRunner.assertSuccess;
import static dev.jshm.cli.JshmRunner.hex;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import dev.jshm.Access;
import dev.jshm.SysVSegment;
import dev.jshm.cli.JshmRunner.Run;

/**
 * The packaged jar on POSIX objects ({@code --name}) and mapped files ({@code --file}), and the
 * byte-level forms every kind takes: {@code write --hex}, {@code --from-file} (a file or standard
 * input), {@code read --hex}, {@code --raw}, {@code --to-file}, {@code create --fill}.
 */
class CliPosixFileIT extends CliItBase {

    @TempDir
    Path files;

    @Test
    void posixObjectsWorkWhereverKeysDo() {
        String name = jshm.newName("round-trip");
        String file = name.substring(1);

        assertSuccess(jshm.jshm("create", "--name", name, "--size", "4096", "--mode", "640"), name + "\n");
        List<String> ls = jshm.lsDevShm().get(file);
        assertEquals(List.of("-rw-r-----", System.getProperty("user.name"), "4096"), List.of(ls.get(0), ls.get(2), ls.get(4)),
                ls::toString);
        assertFailure(jshm.jshm("create", "--name", name, "--size", "4096"), 5, "shm_open(name=" + name, "EEXIST");

        assertSuccess(jshm.jshm("write", "--name", name, "hello posix"), "");
        assertSuccess(jshm.jshm("read", "--name", name), "hello posix\n");
        assertSuccess(jshm.jshm("write", "--name", name, "--offset", "100", "--hex", "de ad be ef"), "");
        assertSuccess(jshm.jshm("read", "--name", name, "--hex", "--offset", "96", "--length", "12"),
                "00000060: 0000 0000 dead beef 0000 0000            ............\n");

        String stat = assertOk(jshm.jshm("stat", "--name", name, "--bytes", "16"));
        Map<String, String> fields = JshmRunner.statFields(stat);
        assertEquals(List.of("kind", "locator", "name", "path", "size", "mode", "owner", "uid", "gid", "device", "inode",
                "links", "modifiedTime", "mappedBy", "usedBy"), List.copyOf(fields.keySet()), stat);
        assertEquals("posix", fields.get("kind"));
        assertEquals("posix:" + name, fields.get("locator"));
        assertEquals("/dev/shm/" + file, fields.get("path"));
        assertEquals("4096 (4K)", fields.get("size"));
        assertEquals("0640 rw-r-----", fields.get("mode"));
        assertEquals(ls.get(2), fields.get("owner"));
        assertEquals("1", fields.get("links"));
        assertTrue(fields.get("mappedBy").startsWith("none"), stat);
        assertTrue(stat.endsWith("\n\nfirst 16 of 4096 bytes:\n"
                + "00000000: 6865 6c6c 6f20 706f 7369 7800 0000 0000  hello posix.....\n"), stat);
        Map<String, Object> json = JsonParser.object(assertOk(jshm.jshm("stat", "--name", name, "--json")));
        assertEquals("posix", json.get("kind"));
        assertEquals(4096L, json.get("size"));
        assertEquals("0640", json.get("mode"));
        assertEquals(List.of(), json.get("mappedBy"));
        @SuppressWarnings("unchecked")
        Map<String, Object> bytes = (Map<String, Object>) json.get("bytes");
        assertEquals(64L, bytes.get("length"));
        assertTrue(((String) bytes.get("hex")).startsWith("68656c6c6f20706f73697800"), bytes::toString);

        assertSuccess(jshm.jshm("rm", "--name", name), "removed posix:" + name + "\n");
        assertFalse(jshm.lsDevShm().containsKey(file), name + " still in /dev/shm");
        assertFailure(jshm.jshm("read", "--name", name), 3, "shm_open(name=" + name, "ENOENT");
        assertFailure(jshm.jshm("rm", "--name", name), 3, "rm posix:" + name, "ENOENT");
        assertFailure(jshm.jshm("stat", "--name", "two/parts"), 2, "invalid POSIX shared memory name");
    }

    @Test
    void filesWorkWhereverKeysDoAndOffsetsCount() throws IOException {
        Path path = files.resolve("state.bin");
        Run created = jshm.jshm("create", "--file", path.toString(), "--size", "8192", "--fill", "0xab", "--progress");
        assertEquals(0, created.exit(), created::toString);
        assertEquals(path + "\n", created.out());
        assertTrue(created.err().contains("] 100%  8K / 8K"), created::toString);
        byte[] filled = new byte[8192];
        Arrays.fill(filled, (byte) 0xab);
        assertArrayEquals(filled, Files.readAllBytes(path));

        String p = path.toString();
        assertSuccess(jshm.jshm("write", "--file", p, "--file-offset", "4096", "in the second page"), "");
        assertSuccess(jshm.jshm("read", "--file", p, "--file-offset", "4096"), "in the second page\n");
        assertEquals("in the second page\0", new String(Files.readAllBytes(path), 4096, 19, StandardCharsets.US_ASCII));
        assertSuccess(jshm.jshm("read", "--file", p, "--offset", "4096", "--length", "6"), "in the\n");

        Run raw = jshm.jshm("read", "--file", p, "--raw", "--length", "3");
        assertEquals(0, raw.exit(), raw::toString);
        assertArrayEquals(new byte[] {(byte) 0xab, (byte) 0xab, (byte) 0xab}, jshm.lastStdoutBytes());
        Path saved = files.resolve("saved.bin");
        assertSuccess(jshm.jshm("read", "--file", p, "--file-offset", "4096", "--length", "18", "--to-file",
                saved.toString()), "");
        assertEquals("in the second page", Files.readString(saved, StandardCharsets.US_ASCII));

        String stat = assertOk(jshm.jshm("stat", "--file", p, "--file-offset", "4096", "--bytes", "2"));
        Map<String, String> fields = JshmRunner.statFields(stat);
        assertEquals("file", fields.get("kind"));
        assertEquals("file:" + p + "?offset=4096&size=0", fields.get("locator"));
        assertEquals(p, fields.get("path"));
        assertEquals("4096", fields.get("fileOffset"));
        assertEquals("4096 (4K)", fields.get("mappedSize"));
        assertEquals("8192 (8K)", fields.get("size"));
        assertEquals("0600 rw-------", fields.get("mode"));
        assertTrue(stat.endsWith("first 2 of 4096 bytes:\n00000000: 696e                                     in\n"), stat);

        Path link = Files.createSymbolicLink(files.resolve("link"), path);
        assertFailure(jshm.jshm("rm", "--file", link.toString()), 4, "is a symbolic link");
        assertFailure(jshm.jshm("read", "--file", link.toString()), 4, "read --file " + link + ": is a symbolic link");
        assertTrue(Files.exists(path));
        assertSuccess(jshm.jshm("rm", "--file", p), "removed file:" + p + "\n");
        assertFalse(Files.exists(path));
        assertFailure(jshm.jshm("read", "--file", p), 3, "read --file " + p + ": no such file or directory");
        assertFailure(jshm.jshm("rm", "--file", p), 3, p + ": no such file or directory");
    }

    @Test
    void bytesGoInFromHexFilesAndStandardInputAndComeOutAsXxdShowsThem() throws Exception {
        int key = jshm.newKey();
        String k = hex(key);
        jshm.shmidOf(jshm.jshm("create", "--key", k, "--size", "512", "--fill", "7"));
        try (SysVSegment segment = SysVSegment.open(key, Access.READ_ONLY)) {
            assertEquals(7, segment.getByte(511), "filled, and no progress bar on a stderr that is a file");
        }

        byte[] all = new byte[256];
        for (int i = 0; i < all.length; i++) {
            all[i] = (byte) i;
        }
        StringBuilder hexText = new StringBuilder();
        for (byte b : all) {
            hexText.append(String.format("%02x ", b & 0xff));
        }
        assertSuccess(jshm.jshm("write", "--key", k, "--hex", hexText.toString()), "");
        Process xxd = new ProcessBuilder("xxd").start();
        xxd.getOutputStream().write(all);
        xxd.getOutputStream().close();
        String expected = new String(xxd.getInputStream().readAllBytes(), StandardCharsets.US_ASCII);
        assertEquals(0, xxd.waitFor());
        assertSuccess(jshm.jshm("read", "--key", k, "--hex", "--length", "256"), expected);

        byte[] binary = {0, 1, 2, (byte) 0xff, '\n', 'x', 0};
        assertSuccess(jshm.jshmWithInput(binary, "write", "--key", k, "--offset", "300", "--from-file", "-"), "");
        Run raw = jshm.jshm("read", "--key", k, "--raw", "--offset", "300", "--length", "7");
        assertEquals(0, raw.exit(), raw::toString);
        assertArrayEquals(binary, jshm.lastStdoutBytes());

        Path input = Files.write(files.resolve("input"), "from a file".getBytes(StandardCharsets.US_ASCII));
        assertSuccess(jshm.jshm("write", "--key", k, "--offset", "400", "--from-file", input.toString()), "");
        assertSuccess(jshm.jshm("read", "--key", k, "--offset", "400", "--length", "11"), "from a file\n");

        // Too long for the room after the offset: refused whole, nothing written.
        assertFailure(jshm.jshmWithInput(new byte[20], "write", "--key", k, "--offset", "500", "--from-file", "-"), 2,
                "does not fit: more than 12 bytes at offset 500", "nothing was written");
        assertFailure(jshm.jshm("write", "--key", k, "--offset", "505", "--from-file", input.toString()), 2,
                "does not fit: 11 bytes at offset 505 exceed the segment's 512 bytes");
        assertSuccess(jshm.jshm("read", "--key", k, "--hex", "--offset", "496", "--length", "16"),
                "000001f0: 0707 0707 0707 0707 0707 0707 0707 0707  ................\n");
        assertFailure(jshm.jshm("write", "--key", k, "--hex", "de ad zz"), 2, "'zz' is not hex bytes");
        assertFailure(jshm.jshm("write", "--key", k, "text", "--hex", "00"), 2, "TEXT, --hex=HEX are mutually exclusive");
        assertFailure(jshm.jshm("read", "--key", k, "--hex", "--offset", "500", "--length", "13"), 2,
                "does not fit: 13 bytes at offset 500 exceed the segment's 512 bytes");

        Map<String, Object> json = JsonParser.object(assertOk(jshm.jshm("read", "--key", k, "--offset", "400", "--length", "11",
                "--json")));
        assertEquals(Map.of("offset", 400L, "length", 11L, "text", "from a file"), json);
        json = JsonParser.object(assertOk(jshm.jshm("read", "--key", k, "--hex", "--offset", "300", "--length", "4",
                "--json")));
        assertEquals(Map.of("offset", 300L, "length", 4L, "hex", "000102ff"), json);
    }

    @Test
    void createSaysWhatItMadeInJson() {
        String name = jshm.newName("json");
        Map<String, Object> json = JsonParser.object(assertOk(jshm.jshm("create", "--name", name, "--size", "10",
                "--json")));
        assertEquals("posix", json.get("kind"));
        assertEquals("posix:" + name, json.get("locator"));
        assertEquals(name, json.get("name"));
        assertEquals("/dev/shm" + name, json.get("path"));
        assertEquals(10L, json.get("size"));
        assertEquals("0600", json.get("mode"));
        assertEquals(true, json.get("created"));
        assertEquals(false, JsonParser.object(assertOk(jshm.jshm("create", "--name", name, "--size", "10",
                "--open-or-create", "--json"))).get("created"));

        int key = jshm.newKey();
        json = JsonParser.object(assertOk(jshm.jshm("create", "--key", hex(key), "--size", "100", "--json")));
        jshm.addShmid(((Long) json.get("id")).intValue());
        assertEquals("sysv:key=" + hex(key), json.get("locator"));
        assertEquals(hex(key), json.get("key"));
        assertEquals((long) SysVSegment.idOf(key), json.get("id"));
        assertFailure(jshm.jshm("create", "--name", name, "--size", "10", "--huge-pages"), 2, "--huge-pages is for System V");
    }
}
