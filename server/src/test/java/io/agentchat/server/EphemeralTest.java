package io.agentchat.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** "Ephemeral by design": after a session of traffic, no content is on disk or in the log. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class EphemeralTest extends ServerHarness {

    @Test
    void nothingAUserSaysReachesTheDiskOrTheLog(@TempDir Path dataDir) throws Exception {
        String secret = "secret-" + UUID.randomUUID();
        ByteArrayOutputStream log = new ByteArrayOutputStream();
        PrintStream originalErr = System.err;
        System.setErr(new PrintStream(log, true, StandardCharsets.UTF_8));
        try {
            start(config().dataDir(dataDir).logMessages(true).build());
            try (TestAgent alice = joined("alice", "#general"); TestAgent bob = joined("bob", "#general")) {
                alice.send("{\"type\":\"MSG\",\"to\":\"#general\",\"content\":\"" + secret + "\"}");
                bob.await("MSG", m -> m.get("content").asText().equals(secret));
                bob.send("{\"type\":\"MSG\",\"to\":\"" + alice.id + "\",\"content\":\"dm " + secret + "\"}");
                alice.await("MSG", m -> m.get("content").asText().contains(secret));
                alice.send("{\"type\":\"SET_PRESENCE\",\"status\":\"busy\",\"status_text\":\"" + secret + "\"}");
                alice.await("PRESENCE_CHANGED");
                // A private channel's name can say what it is about: it is not logged either.
                String privateName = "#p" + secret.substring(secret.length() - 12);
                alice.send("{\"type\":\"CREATE_CHANNEL\",\"channel\":\"" + privateName + "\",\"invite_only\":true}");
                alice.await("JOINED");
                alice.send("{\"type\":\"INVITE\",\"channel\":\"" + privateName + "\",\"agent\":\"" + bob.id + "\"}");
                bob.await("MSG", m -> m.get("content").asText().startsWith("You have been invited"));
                bob.send("{\"type\":\"JOIN\",\"channel\":\"" + privateName + "\"}");
                bob.await("JOINED");
                alice.send("{\"type\":\"MSG\",\"to\":\"#nope\",\"content\":\"" + secret + "\"}");
                alice.await("ERROR");
            }
            server.close();
        } finally {
            System.setErr(originalErr);
        }
        String logged = log.toString(StandardCharsets.UTF_8);
        assertTrue(logged.contains("message type=MSG"), "the event log ran: " + logged);
        assertTrue(!logged.contains(secret), "content leaked into the log");
        assertTrue(logged.contains("create_channel") && logged.contains("invite id="), "the channel events were logged");
        assertTrue(!logged.contains(secret.substring(secret.length() - 12)), "a private channel's name leaked into the log");
        List<Path> leaks = new ArrayList<>();
        for (Path root : List.of(dataDir, Path.of("").toAbsolutePath(), Path.of(System.getProperty("java.io.tmpdir")))) {
            leaks.addAll(filesContaining(root, secret));
        }
        assertEquals(List.of(), leaks);
    }

    private static List<Path> filesContaining(Path root, String needle) throws IOException {
        byte[] bytes = needle.getBytes(StandardCharsets.UTF_8);
        List<Path> found = new ArrayList<>();
        try (Stream<Path> files = Files.find(root, 4, (p, a) -> a.isRegularFile() && a.size() < 50_000_000)) {
            files.forEach(path -> {
                try {
                    if (indexOf(Files.readAllBytes(path), bytes) >= 0) {
                        found.add(path);
                    }
                } catch (IOException unreadable) {
                    // sockets, permission-protected or vanished files cannot hold our content
                }
            });
        } catch (java.io.UncheckedIOException walkError) {
            // a directory vanished while walking (other processes use tmp): what was read is checked
        }
        return found;
    }

    private static int indexOf(byte[] haystack, byte[] needle) {
        outer:
        for (int i = 0; i <= haystack.length - needle.length; i++) {
            for (int j = 0; j < needle.length; j++) {
                if (haystack[i + j] != needle[j]) {
                    continue outer;
                }
            }
            return i;
        }
        return -1;
    }
}
