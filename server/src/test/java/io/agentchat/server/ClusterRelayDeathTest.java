package io.agentchat.server;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * A relay that dies without a word (SIGKILL, in a JVM of its own) disappears from the cluster: its
 * members leave every shared channel on the other relays, with AGENT_LEFT, once its heartbeat has
 * lapsed (docs/cluster.md, "Faults").
 */
@Timeout(value = 90, unit = TimeUnit.SECONDS)
class ClusterRelayDeathTest extends ClusterHarness {

    @Override
    protected Duration relayTtl() {
        return Duration.ofMillis(1500);
    }

    @Test
    void aKilledRelaysMembersLeaveWithAgentLeftOnceItsHeartbeatLapses(@TempDir Path dir) throws Exception {
        Path output = dir.resolve("relay.log");
        String classPath = System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
        Process doomed = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC", "-cp", classPath, ClusterRelayMain.class.getName(),
                redis.uri().toString(), relayTtl().toString(), "relay-doomed")
                .redirectErrorStream(true).redirectOutput(output.toFile())
                .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null"))).start();
        try (TestAgent a = joined(relayA, "alice")) {
            int[] port = {0};
            await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(50)).until(() -> {
                assertTrue(doomed.isAlive(), () -> "the child relay exited: " + read(output));
                for (String line : read(output).lines().toList()) {
                    if (line.startsWith("port ")) {
                        port[0] = Integer.parseInt(line.substring(5).strip());
                    }
                }
                return port[0] > 0;
            });
            TestAgent doomedAgent = TestAgent.ephemeral(client, java.net.URI.create("ws://127.0.0.1:" + port[0]), "doomed");
            doomedAgent.send("{\"type\":\"JOIN\",\"channel\":\"#general\"}");
            doomedAgent.await("JOINED");
            a.await("AGENT_JOINED", f -> doomedAgent.id.equals(f.get("agent").asText()));
            // Relay A counts the relays at its own beat, a third of the TTL apart: the doomed one may be newer.
            await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(100)).until(() ->
                    ClusterPresenceTest.health(relayA).get("cluster").get("relays_seen").asInt() == 3);

            long killed = System.nanoTime();
            doomed.destroyForcibly(); // SIGKILL: no goodbye reaches Redis
            assertTrue(doomed.waitFor(10, TimeUnit.SECONDS));
            JsonNode left = a.await("AGENT_LEFT", f -> doomedAgent.id.equals(f.get("agent").asText()));
            long tookMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - killed);
            assertTrue(tookMillis < 30_000, "AGENT_LEFT after " + tookMillis + " ms");
            System.out.println("AGENT_LEFT " + tookMillis + " ms after SIGKILL at a relay TTL of " + relayTtl());
            assertEquals(List.of(a.id), ClusterPresenceTest.listed(a));
            await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(100))
                    .until(() -> ClusterPresenceTest.health(relayA).get("cluster").get("relays_seen").asInt() == 2);
            List<JsonNode> rest = a.drainUntilPong();
            assertTrue(rest.stream().noneMatch(f -> "AGENT_LEFT".equals(f.path("type").asText())), "one AGENT_LEFT: " + rest);
            assertTrue(left.has("ts"));
        } finally {
            doomed.destroyForcibly();
            doomed.waitFor(10, TimeUnit.SECONDS);
        }
    }

    private static String read(Path file) {
        try {
            return Files.exists(file) ? Files.readString(file) : "";
        } catch (java.io.IOException e) {
            return "(unreadable: " + e + ")";
        }
    }
}
