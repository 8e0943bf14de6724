package io.agentchat.server;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.agentchat.identity.Identity;
import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Attack (hostile review of the answer-order change): a proposal's home relay that stalls (a long GC
 * pause, a stopped process: SIGSTOP here) is not dead. The party's ACCEPT forwarded to it is still
 * carried out once it runs again (the proposer is told). Before, the party's relay stopped waiting
 * after 10 s and answered its next frame (a PING) first, so a client that matches answers by order
 * took the PONG for the ACCEPT's answer; and once the market sweep had dropped the ticket, the
 * ACCEPT's answer was never delivered at all. Now the ACCEPT's place in the order is taken by an
 * ERROR that says it may or may not have been carried out, and its real answer still follows.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class ClusterStalledHomeAttackTest extends ClusterHarness {
    private final Identity aliceKey = Identity.generate("alice", Clock.systemUTC());
    private final Identity bobKey = Identity.generate("bob", Clock.systemUTC());

    @Test
    void anAcceptForwardedToAStalledHomeKeepsItsPlaceInTheOrderAndItsLateAnswerStillComes(@TempDir Path dir) throws Exception {
        Path output = dir.resolve("relay.log");
        String classPath = System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
        Process home = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC", "-cp", classPath, ClusterRelayMain.class.getName(),
                redis.uri().toString(), relayTtl().toString(), "relay-home")
                .redirectErrorStream(true).redirectOutput(output.toFile())
                .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null"))).start();
        try {
            int[] port = {0};
            await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(50)).until(() -> {
                assertTrue(home.isAlive(), () -> "the child relay exited: " + read(output));
                for (String line : read(output).lines().toList()) {
                    if (line.startsWith("port ")) {
                        port[0] = Integer.parseInt(line.substring(5).strip());
                    }
                }
                return port[0] > 0;
            });
            try (TestAgent alice = TestAgent.proven(client, java.net.URI.create("ws://127.0.0.1:" + port[0]), aliceKey);
                 TestAgent bob = TestAgent.proven(client, relayA.uri(), bobKey)) {
                alice.send(SignedMarketFrames.proposal(aliceKey, bob.id, "Review PR #1", 300));
                String id = alice.await("PROPOSAL").get("id").asText();
                assertEquals(id, bob.await("PROPOSAL").get("id").asText());

                signal("STOP", home.pid());
                bob.send(SignedMarketFrames.accept(bobKey, id));
                bob.send("{\"type\":\"PING\"}");
                List<JsonNode> seen = new ArrayList<>();
                // The PONG comes once the relay stops waiting for the stalled home (8 s).
                await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(50)).until(() -> {
                    seen.addAll(bob.takeReceived());
                    return seen.stream().anyMatch(f -> "PONG".equals(f.path("type").asText()));
                });
                signal("CONT", home.pid());
                // The home relay runs again and carries the ACCEPT out: the proposer is told.
                JsonNode told = alice.await("ACCEPT");
                assertEquals("accepted", told.get("status").asText());
                await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(50)).until(() -> {
                    seen.addAll(bob.takeReceived());
                    return seen.stream().anyMatch(f -> "ACCEPT".equals(f.path("type").asText()));
                });
                List<String> types = seen.stream().map(f -> f.path("type").asText()).filter(t -> !t.isEmpty()).toList();
                assertEquals(List.of("ERROR", "PONG", "ACCEPT"), types,
                        "the ACCEPT's answer in its place (an ERROR), then the PING's, then the late ACCEPT: " + seen);
                assertEquals("CLUSTER_UNAVAILABLE", seen.get(0).get("code").asText());
                assertTrue(seen.get(0).get("message").asText().contains("may or may not have been carried out"), seen.get(0)::toString);
            }
        } finally {
            if (home.isAlive()) {
                signal("CONT", home.pid());
            }
            home.destroyForcibly();
            home.waitFor(10, TimeUnit.SECONDS);
        }
    }

    private static void signal(String signal, long pid) throws Exception {
        Process kill = new ProcessBuilder("kill", "-" + signal, Long.toString(pid)).inheritIO().start();
        assertTrue(kill.waitFor(5, TimeUnit.SECONDS) && kill.exitValue() == 0, "kill -" + signal + " " + pid);
    }

    private static String read(Path file) {
        try {
            return Files.exists(file) ? Files.readString(file) : "";
        } catch (java.io.IOException e) {
            return "(unreadable: " + e + ")";
        }
    }
}
