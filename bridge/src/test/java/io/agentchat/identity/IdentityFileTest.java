package io.agentchat.identity;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class IdentityFileTest {

    private static final Clock CLOCK = Clock.fixed(Instant.parse("2026-11-25T03:16:53.649Z"), ZoneOffset.UTC);

    @TempDir
    Path dir;

    @Test
    void referenceFileLoadsAndSavesByteForByte() throws IOException {
        Path original = dir.resolve("original.json");
        Files.writeString(original, TestVectors.FILE);
        Identity identity = IdentityFile.load(original);
        assertEquals("probe-alice", identity.name());
        assertEquals(TestVectors.PUBKEY, identity.pubkey());
        assertEquals(TestVectors.AGENT_ID, identity.agentId());
        assertEquals(TestVectors.CREATED, identity.created());

        Path copy = dir.resolve("copy.json");
        IdentityFile.save(copy, identity, false);
        assertEquals(TestVectors.FILE, Files.readString(copy));
    }

    @Test
    void rotatedIdentityRoundTripsWithNestedIndentation() throws IOException {
        Identity rotated = IdentityTest.reference().rotate(CLOCK);
        Path file = dir.resolve("id.json");
        IdentityFile.save(file, rotated, false);
        String text = Files.readString(file);
        assertTrue(text.contains("  \"rotations\": [\n    {\n      \"old_pubkey\": "), text);
        assertTrue(text.endsWith("\n    }\n  ]\n}"), text);
        Identity loaded = IdentityFile.load(file);
        assertEquals(rotated.rotations(), loaded.rotations());
        assertTrue(loaded.verifyChain().valid());
        IdentityFile.save(file, loaded, true);
        assertEquals(text, Files.readString(file));
    }

    @Test
    void savedFileIsOwnerOnlyInNewParentDirectories() throws IOException {
        Path file = dir.resolve("a/b/.agentchat/identity.json");
        IdentityFile.save(file, Identity.generate("alice", CLOCK), false);
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(file)));
        try (Stream<Path> files = Files.list(file.getParent())) {
            assertEquals(List.of(file), files.toList(), "no temp file left behind");
        }
    }

    @Test
    void forcedOverwriteOfA0644FileMakesIt0600() throws IOException {
        Path file = dir.resolve("identity.json");
        Files.writeString(file, "old");
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-r--r--"));
        IdentityFile.save(file, Identity.generate("alice", CLOCK), true);
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(file)));
        assertEquals("alice", IdentityFile.load(file).name());
    }

    @Test
    void existingFileIsNotOverwrittenWithoutForce() throws IOException {
        Path file = dir.resolve("identity.json");
        Files.writeString(file, "keep me");
        IdentityExistsException e = assertThrows(IdentityExistsException.class,
                () -> IdentityFile.save(file, Identity.generate("alice", CLOCK), false));
        assertEquals("Identity already exists at " + file.toAbsolutePath(), e.getMessage());
        assertEquals(file.toAbsolutePath(), e.path());
        assertEquals("keep me", Files.readString(file));
        try (Stream<Path> files = Files.list(dir)) {
            assertEquals(1, files.count());
        }
    }

    @Test
    void saveRotatedKeepsThePreviousFileAsBak() throws IOException {
        Path file = dir.resolve("identity.json");
        Files.writeString(file, TestVectors.FILE);
        Identity rotated = IdentityFile.load(file).rotate(CLOCK);
        IdentityFile.saveRotated(file, rotated);
        Path bak = dir.resolve("identity.json.bak");
        assertEquals(TestVectors.FILE, Files.readString(bak));
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(bak)));
        assertEquals(rotated.pubkey(), IdentityFile.load(file).pubkey());
        assertEquals(TestVectors.PUBKEY, IdentityFile.load(file).rotations().get(0).oldPubkey());
    }

    @Test
    void exportLeavesOutOnlyThePrivateKey() {
        String expected = "{\n"
                + "  \"name\": \"probe-alice\",\n"
                + "  \"pubkey\": \"-----BEGIN PUBLIC KEY-----\\nMCowBQYDK2VwAyEAequTLhWeWfEttVThMrSVMbtZ8AY9i7acAXTmnW+IRbc=\\n-----END PUBLIC KEY-----\\n\",\n"
                + "  \"created\": \"2026-11-25T03:09:15.272Z\",\n"
                + "  \"rotations\": []\n"
                + "}";
        assertEquals(expected, IdentityFile.exportPublic(IdentityTest.reference()));
    }

    @Test
    void missingFileNamesTheAbsolutePath() {
        Path missing = dir.resolve("nope/identity.json");
        IdentityException e = assertThrows(IdentityException.class, () -> IdentityFile.load(missing));
        assertEquals("Identity file not found: " + missing.toAbsolutePath(), e.getMessage());
    }

    @Test
    void missingRotationsMeansNone() throws IOException {
        Path file = dir.resolve("identity.json");
        Files.writeString(file, TestVectors.FILE.replace(",\n  \"rotations\": []", ""));
        assertTrue(IdentityFile.load(file).rotations().isEmpty());
    }

    static Stream<Arguments> corruptFiles() {
        String f = TestVectors.FILE;
        String otherPrivkey = Identity.generate("x", CLOCK).privkey().replace("\n", "\\n");
        return Stream.of(
                Arguments.of("", "the file is empty"),
                Arguments.of("{x", "corrupt JSON at line 1, column 2"),
                Arguments.of(f + "x", "corrupt JSON"),
                Arguments.of("[]", "expected a JSON object, got an array"),
                Arguments.of("{}", "missing field 'name'"),
                Arguments.of(f.replace("\"probe-alice\"", "5"), "field 'name' must be a string, got a number"),
                Arguments.of(f.replace("\"probe-alice\"", "\"bad name\""), "Invalid agent name \"bad name\""),
                Arguments.of(f.replace("  \"pubkey\"", "  \"pub\""), "missing field 'pubkey'"),
                Arguments.of(f.replace("-----END PUBLIC KEY-----\\n", "-----END PUBLIC KEY-----"),
                        "Invalid Ed25519 public key PEM: missing the trailing newline"),
                Arguments.of(f.replace("\"pubkey\": \"", "\"pubkey\": \"hello"), "text before"),
                Arguments.of(f.replace("\"pubkey\": \"-----BEGIN PUBLIC KEY-----\\nMCowBQYDK2VwAyEAequTLhWeWfEttVThMrSVMbtZ8AY9i7acAXTmnW+IRbc=\\n-----END PUBLIC KEY-----\\n\"",
                        "\"pubkey\": \"-----BEGIN PRIVATE KEY-----\\nMC4CAQAwBQYDK2VwBCIEIGEj7Wy1A6gGmYcA6r0WWHz0zZre0snO2JSAZBpJa9Iv\\n-----END PRIVATE KEY-----\\n\""),
                        "got a private key PEM where a public key PEM is expected"),
                Arguments.of(f.replace("-----BEGIN PRIVATE KEY-----\\nMC4CAQAwBQYDK2VwBCIEIGEj7Wy1A6gGmYcA6r0WWHz0zZre0snO2JSAZBpJa9Iv\\n-----END PRIVATE KEY-----\\n",
                        otherPrivkey), "privkey does not belong to pubkey"),
                Arguments.of(f.replace("\"privkey\": \"", "\"privkey\": null, \"x\": \""), "field 'privkey' must be a string, got null"),
                Arguments.of(f.replace("\"2026-11-25T03:09:15.272Z\"", "\"yesterday\""), "created is not an ISO-8601 UTC time"),
                Arguments.of(f.replace("[]", "{}"), "field 'rotations' must be an array, got an object"),
                Arguments.of(f.replace("[]", "[1]"), "field 'rotations[0]' must be an object, got a number"),
                Arguments.of(f.replace("[]", "[{\"old_pubkey\":\"x\"}]"), "missing field 'rotations[0].old_agent_id'"));
    }

    @ParameterizedTest
    @MethodSource("corruptFiles")
    void corruptFileGivesOneLineNamingFileAndProblem(String content, String problem) throws IOException {
        Path file = dir.resolve("identity.json");
        Files.writeString(file, content);
        IdentityException e = assertThrows(IdentityException.class, () -> IdentityFile.load(file));
        String message = e.getMessage();
        assertTrue(message.startsWith("Invalid identity file " + file.toAbsolutePath() + ": "), message);
        assertTrue(message.contains(problem), message);
        assertFalse(message.contains("\n") || message.contains("\r"), message);
        assertFalse(message.contains("MC4CAQ"), "never echo private key material: " + message);
    }

    @Test
    void invalidUtf8IsReported() throws IOException {
        Path file = dir.resolve("identity.json");
        Files.write(file, new byte[] {'{', (byte) 0xff, '}'});
        IdentityException e = assertThrows(IdentityException.class, () -> IdentityFile.load(file));
        assertTrue(e.getMessage().endsWith(": not valid UTF-8"), e.getMessage());
        assertArrayEquals(new byte[] {'{', (byte) 0xff, '}'}, Files.readAllBytes(file));
    }

    @Test
    void savedBytesAreUtf8WithoutTrailingNewline() throws IOException {
        Path file = dir.resolve("identity.json");
        IdentityFile.save(file, IdentityTest.reference(), false);
        byte[] bytes = Files.readAllBytes(file);
        assertEquals('}', bytes[bytes.length - 1]);
        assertArrayEquals(TestVectors.FILE.getBytes(StandardCharsets.UTF_8), bytes);
    }
}
