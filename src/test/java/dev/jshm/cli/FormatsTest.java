package dev.jshm.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.jshm.stat.SysVStat;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.time.Instant;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/** The tool's text formats: JSON, hex dumps and hex input, human sizes, tables. */
class FormatsTest {

    // ---- JSON -----------------------------------------------------------------------------------

    @Test
    void jsonIsWrittenInOrderAndIndented() {
        Map<String, Object> o = Json.object();
        o.put("b", 1);
        o.put("a", List.of(true, false));
        o.put("n", null);
        o.put("e", List.of());
        o.put("m", Json.object());
        assertEquals("{\n  \"b\": 1,\n  \"a\": [\n    true,\n    false\n  ],\n  \"n\": null,\n  \"e\": [],\n  \"m\": {}\n}",
                Json.pretty(o));
        assertEquals("{\"b\":1,\"a\":[true,false],\"n\":null,\"e\":[],\"m\":{}}", Json.compact(o));
    }

    @Test
    void jsonStringsAreEscapedAndNumbersExact() {
        String tricky = "quote\" backslash\\ nl\n tab\t nul\0 del\u007f é 世界 \uD83D\uDE00 lone\uD800";
        Map<String, Object> o = Json.object();
        o.put("s", tricky);
        o.put("max", Long.MAX_VALUE);
        o.put("huge", new BigInteger("18446744073692774399"));
        o.put("neg", -5);
        String text = Json.compact(o);
        assertTrue(text.contains("\\u0000") && text.contains("\\u007f") && text.contains("\\ud800"), text);
        Map<String, Object> back = JsonParser.object(text);
        assertEquals(tricky, back.get("s"));
        assertEquals(Long.MAX_VALUE, back.get("max"));
        assertEquals(new BigInteger("18446744073692774399"), back.get("huge"));
        assertEquals(-5L, back.get("neg"));
        assertEquals(back, JsonParser.object(Json.pretty(o)));
    }

    @Test
    void jsonRefusesWhatItCannotWriteExactly() {
        assertThrows(IllegalArgumentException.class, () -> Json.compact(1.5));
        assertThrows(IllegalArgumentException.class, () -> Json.compact(new Object()));
        assertThrows(IllegalArgumentException.class, () -> Json.compact(Map.of(1, 2)));
    }

    @ParameterizedTest
    @ValueSource(strings = {"{\"a\":1,}", "[1,]", "{'a':1}", "01", "{\"a\" 1}", "\"\u0001\"", "[1] x", "nul", "{\"a\":1,\"a\":2}"})
    void theTestParserIsStrict(String text) {
        assertThrows(IllegalArgumentException.class, () -> JsonParser.parse(text));
    }

    // ---- hex ------------------------------------------------------------------------------------

    @Test
    void hexDumpLooksLikeXxd() {
        byte[] bytes = "hello\0\0\u00de\u00ad\u00be\u00efabcdefghijklmnopq".getBytes(StandardCharsets.ISO_8859_1);
        assertEquals("00000000: 6865 6c6c 6f00 00de adbe ef61 6263 6465  hello......abcde\n"
                + "00000010: 6667 6869 6a6b 6c6d 6e6f 7071            fghijklmnopq\n", HexDump.lines(bytes, 0));
        assertEquals("00001000: 6869                                     hi\n",
                HexDump.lines("xhiy".getBytes(StandardCharsets.US_ASCII), 1, 2, 4096));
        assertEquals("", HexDump.lines(new byte[0], 0));
        assertEquals("00deff", HexDump.plain(new byte[] {0, (byte) 0xde, (byte) 0xff}));
    }

    /** Every byte value and line length, against the real xxd. */
    @Test
    void hexDumpMatchesXxdByteForByte() throws Exception {
        Path xxd = Path.of("/usr/bin/xxd");
        assumeTrue(Files.isExecutable(xxd), "needs xxd");
        byte[] bytes = new byte[256 + 16 * 3 + 7];
        for (int i = 0; i < 256; i++) {
            bytes[i] = (byte) i;
        }
        byte[] tail = new byte[bytes.length - 256];
        new Random(42).nextBytes(tail);
        System.arraycopy(tail, 0, bytes, 256, tail.length);
        Process process = new ProcessBuilder(xxd.toString()).start();
        process.getOutputStream().write(bytes);
        process.getOutputStream().close();
        String expected = new String(process.getInputStream().readAllBytes(), StandardCharsets.US_ASCII);
        assertTrue(process.waitFor(30, TimeUnit.SECONDS));
        assertEquals(expected, HexDump.lines(bytes, 0));
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "de ad be ef|deadbeef",
        "deadbeef|deadbeef",
        "DE:AD:BE:EF|deadbeef",
        "0xde,0xad, 0xbe 0xef|deadbeef",
        "  00  |00",
        "0x0001ff|0001ff",
    })
    void hexInputTakesCommonForms(String text, String hex) {
        assertEquals(hex, HexDump.plain(HexInput.parse(text)));
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "  ", "d", "dea", "zz", "0x", "de-ad", "0xg0", "de ad b"})
    void hexInputRefusesNamingTheGroup(String text) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> HexInput.parse(text));
        assertTrue(e.getMessage().startsWith("--hex \"" + text + "\": "), e.getMessage());
    }

    @Test
    void hexInputRoundTripsEveryByte() {
        byte[] all = new byte[256];
        for (int i = 0; i < all.length; i++) {
            all[i] = (byte) i;
        }
        assertArrayEquals(all, HexInput.parse(HexDump.plain(all)));
    }

    // ---- sizes, tables, modes, terminals ----------------------------------------------------------

    @ParameterizedTest
    @CsvSource({
        "0, 0B", "1023, 1023B", "1024, 1K", "1536, 1.5K", "1048575, 1024K", "1048576, 1M", "1500000, 1.4M",
        "67108864, 64M", "1073741824, 1G", "5000, 4.9K", "1572864, 1.5M", "9223372036854775807, 8E",
    })
    void sizesAreShownAsIpcsHumanShowsThem(long bytes, String text) {
        assertEquals(text, Sizes.human(bytes));
    }

    @ParameterizedTest
    @CsvSource({
        "4096, 4096", "64K, 65536", "64k, 65536", "1M, 1048576", "1MiB, 1048576", "1MB, 1048576", "2G, 2147483648",
        "1.5K, 1536", "0, 0", "512B, 512", "8E, -1", "7E, 8070450532247928832",
    })
    void sizesTakeBinaryUnits(String text, long bytes) {
        if (bytes < 0) {
            assertThrows(IllegalArgumentException.class, () -> Sizes.parse(text));
        } else {
            assertEquals(bytes, Sizes.parse(text));
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "-1", "1X", "K", "1.1B", "0x10", "1 M B", "1.0000001K"})
    void malformedSizesAreRefusedWithTheirText(String text) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Sizes.parse(text));
        assertTrue(e.getMessage().contains("'" + text + "'"), e.getMessage());
    }

    @Test
    void sysvStatShowsKeyInHexAndModeInOctal() {
        SysVStat stat = new SysVStat(0x5151, 7, 4096, 0600, 1000, 100, 1000, 100, 42, 43, 1, Instant.EPOCH, Instant.EPOCH,
                Instant.ofEpochSecond(1_700_000_000), false, false);
        assertEquals("SysVStat[key=0x00005151, shmid=7, size=4096, mode=0600, uid=1000, gid=100, cuid=1000, cgid=100,"
                + " cpid=42, lpid=43, attachments=1, attachTime=1970-01-01T00:00:00Z, detachTime=1970-01-01T00:00:00Z,"
                + " changeTime=2023-11-14T22:13:20Z, removed=false, locked=false]", stat.toString());
        assertTrue(new SysVStat(-1, 0, 1, 0644, 0, 0, 0, 0, 0, 0, 0, null, null, null, true, true).toString()
                .startsWith("SysVStat[key=0xffffffff, shmid=0, size=1, mode=0644,"));
    }

    @ParameterizedTest
    @CsvSource({"lst, list", "craete, create", "--sise, --size", "--ower, --owner", "stats, stat", "re, read|reap"})
    void suggestionsAreTheNearestNames(String typed, String expected) {
        List<String> names = List.of("list", "stat", "create", "write", "read", "rm", "reap", "watch", "doctor", "--size",
                "--owner", "--sort");
        assertEquals(List.of(expected.split("\\|")), Suggestions.closest(typed, names));
    }

    @ParameterizedTest
    @ValueSource(strings = {"frobnicate", "x", "--json"})
    void farNamesGetNoSuggestion(String typed) {
        assertEquals(List.of(), Suggestions.closest(typed, List.of("list", "stat", "create", "--size", "--owner")));
    }

    @Test
    void tablesAlignColumnsWithoutTrailingBlanks() {
        StringWriter text = new StringWriter();
        new Table("A", ">N", "LAST").row("x", "1", "").row("longer", "12345", "z").print(new PrintWriter(text, true));
        assertEquals("A           N  LAST\nx           1\nlonger  12345  z\n", text.toString());
        assertThrows(IllegalArgumentException.class, () -> new Table("A").row("1", "2"));
    }

    @ParameterizedTest
    @CsvSource({"0600, rw-------", "0640, rw-r-----", "0777, rwxrwxrwx", "0, ---------", "0604, rw----r--"})
    void modesAreShownAsLsDoes(String octal, String text) {
        assertEquals(text, ModeConverter.symbolic(Integer.parseInt(octal, 8)));
    }

    @Test
    void terminalsAreTheTtyDevices() {
        for (String tty : List.of("/dev/pts/0", "/dev/pts/17", "/dev/tty", "/dev/tty1", "/dev/ttyS0", "/dev/console")) {
            assertTrue(Terminal.isTerminalDevice(tty), tty);
        }
        for (String other : List.of("/dev/null", "pipe:[1234]", "/tmp/out", "socket:[5]", "/dev/ttyUSB-x", "/dev/shm/x")) {
            assertFalse(Terminal.isTerminalDevice(other), other);
        }
    }

    @Test
    void progressDrawsOncePerPercentAndEndsItsLine() {
        StringWriter text = new StringWriter();
        Progress bar = new Progress(new PrintWriter(text), "fill", 200, true);
        for (long done = 0; done <= 200; done++) {
            bar.update(done);
        }
        bar.finish();
        String[] draws = text.toString().split("\r");
        assertEquals(102, draws.length, text.toString()); // "" before the first \r, then 0..100 %
        assertTrue(draws[101].startsWith("fill [" + "#".repeat(30) + "] 100%  200B / 200B"), draws[101]);
        assertTrue(text.toString().endsWith("\n"));
        StringWriter none = new StringWriter();
        Progress off = new Progress(new PrintWriter(none), "fill", 10, false);
        off.update(5);
        off.finish();
        assertEquals("", none.toString());
    }

    @Test
    void bytesAreDecimalOrHex() {
        ByteConverter convert = new ByteConverter();
        assertEquals(0, convert.convert("0"));
        assertEquals(255, convert.convert("255"));
        assertEquals(255, convert.convert("0xff"));
        assertEquals(10, convert.convert("0XA"));
        for (String bad : new ArrayList<>(Arrays.asList("256", "-1", "0x100", "a", "", "1.0"))) {
            assertThrows(picocli.CommandLine.TypeConversionException.class, () -> convert.convert(bad), bad);
        }
    }
}
