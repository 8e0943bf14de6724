package io.agentchat.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code identity} output as the original CLI prints it, and bad files as one line (validated before printing). */
class IdentityCommandTest {
    @TempDir
    Path dir;

    @Test
    void noFileSaysHowToCreateOne() {
        Path file = dir.resolve("id.json");
        assertEquals(new CliRun(0, "No identity found.\nUse --generate to create one at " + file + "\n", ""),
                CliRun.run("identity", "-f", file.toString()));
    }

    @Test
    void generateShowExportAndRefuseToOverwrite() throws Exception {
        Path file = dir.resolve("sub/id.json");
        CliRun generated = CliRun.run("identity", "--generate", "-n", "alice", "-f", file.toString());
        assertEquals(0, generated.rc());
        List<String> lines = generated.out().lines().toList();
        assertEquals("Generated new identity:", lines.get(0));
        assertEquals("  Name: alice", lines.get(1));
        assertTrue(lines.get(2).matches("  Fingerprint: [0-9a-f]{16}"), lines.get(2));
        String fingerprint = lines.get(2).substring("  Fingerprint: ".length());
        assertEquals("  Agent ID: " + fingerprint.substring(0, 8), lines.get(3));
        assertEquals("  Saved to: " + file, lines.get(4));
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(file)));

        CliRun again = CliRun.run("identity", "-g", "-n", "alice", "-f", file.toString());
        assertEquals(new CliRun(1, "", "Identity already exists at " + file + "\nUse --force to overwrite\n"), again);
        assertEquals(0, CliRun.run("identity", "-g", "-n", "alice", "-f", file.toString(), "--force").rc());

        CliRun shown = CliRun.run("identity", "--show", "-f", file.toString());
        assertEquals(0, shown.rc());
        List<String> show = shown.out().lines().toList();
        assertEquals(List.of("Current identity:", "  Name: alice"), show.subList(0, 2));
        assertTrue(show.get(4).startsWith("  Created: 20"), show.get(4));
        assertEquals("  File: " + file, show.get(5));
        CliRun plain = CliRun.run("identity", "-f", file.toString());
        assertEquals(5, plain.out().lines().count(), "without --show there is no File line");

        CliRun exported = CliRun.run("identity", "--export", "-f", file.toString());
        assertEquals(0, exported.rc());
        assertTrue(exported.out().startsWith("{\n  \"name\": \"alice\",\n  \"pubkey\": \"-----BEGIN PUBLIC KEY-----\\n"),
                exported.out());
        assertTrue(!exported.out().contains("privkey"), exported.out());
    }

    @Test
    void rotateKeepsABackupAndTheChainVerifies() throws Exception {
        Path file = dir.resolve("id.json");
        assertEquals(0, CliRun.run("identity", "-g", "-n", "alice", "-f", file.toString()).rc());
        CliRun none = CliRun.run("identity", "--verify-chain", "-f", file.toString());
        assertEquals(0, none.rc());
        assertTrue(none.out().startsWith("No rotations to verify (original identity).\n  Agent ID: "), none.out());

        CliRun rotated = CliRun.run("identity", "--rotate", "-f", file.toString());
        assertEquals(0, rotated.rc(), rotated.err());
        List<String> lines = rotated.out().lines().toList();
        assertEquals("Rotating identity...", lines.get(0));
        assertEquals("Rotation complete:", lines.get(4));
        assertEquals("  Total rotations: 1", lines.get(7));
        assertTrue(Files.exists(dir.resolve("id.json.bak")));

        CliRun verified = CliRun.run("identity", "--verify-chain", "-f", file.toString());
        assertEquals(0, verified.rc());
        assertEquals("Verifying rotation chain (1 rotation(s))...", verified.out().lines().findFirst().get());
        assertTrue(verified.out().contains("Chain verified successfully!\n"), verified.out());

        String tampered = Files.readString(file).replaceFirst("\"signature\": \"[A-Za-z0-9+/]", "\"signature\": \"A");
        Files.writeString(file, tampered.equals(Files.readString(file))
                ? Files.readString(file).replaceFirst("\"signature\": \"A", "\"signature\": \"B") : tampered);
        CliRun failed = CliRun.run("identity", "--verify-chain", "-f", file.toString());
        assertEquals(1, failed.rc());
        assertEquals("Chain verification FAILED:\n  - Rotation 1: Invalid signature\n", failed.err());
    }

    @Test
    void badFilesGiveOneLineOnStderrAndNothingOnStdout() throws Exception {
        Path empty = dir.resolve("empty-object.json");
        Files.writeString(empty, "{}");
        for (String action : new String[] {"--show", "--export", "--rotate", "--verify-chain", "-f"}) {
            String[] args = action.equals("-f") ? new String[] {"identity", "-f", empty.toString()}
                    : new String[] {"identity", action, "-f", empty.toString()};
            CliRun run = CliRun.run(args);
            assertEquals(1, run.rc(), action);
            assertEquals("", run.out(), action);
            assertEquals("Error: Invalid identity file " + empty + ": missing field 'name'\n", run.err(), action);
        }
        Path missing = dir.resolve("missing.json");
        assertEquals(new CliRun(1, "", "Error: Identity file not found: " + missing + "\n"),
                CliRun.run("identity", "--show", "-f", missing.toString()));
    }

    @Test
    void generateRefusesANameTheServerWouldRefuse() {
        CliRun run = CliRun.run("identity", "-g", "-n", "bad name", "-f", dir.resolve("x.json").toString());
        assertEquals(1, run.rc());
        assertTrue(run.err().startsWith("Error: Invalid agent name"), run.err());
        assertTrue(!Files.exists(dir.resolve("x.json")));
    }
}
