package io.agentchat.server;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.agentchat.identity.Identity;
import io.agentchat.identity.SignedText;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Attack (hostile review of the answer-order change): Channel.post takes the sender's pending echo
 * ({@code answerLater}) before the message is encoded, and encoding commits the signature, which
 * throws for an unproven sender whose signature this relay has seen. The ERROR is sent at once, but
 * the pending echo is never given, so the connection's next frame is not read for AnswerOrder's 10 s.
 * Reached when Redis forgot the signature (restarted empty; FLUSHALL here) while the relay's own
 * memory still has it: the cluster's check passes, the local one throws.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class ClusterReplayStallAttackTest extends ClusterHarness {
    private static final ObjectMapper JSON = new ObjectMapper();

    @Test
    void aReplayRefusedByTheRelaysOwnMemoryDoesNotStallTheConnection() throws Exception {
        Identity key = Identity.generate("mallory", Clock.systemUTC());
        try (TestAgent sender = TestAgent.unproven(client, relayA.uri(), key)) {
            sender.send("{\"type\":\"JOIN\",\"channel\":\"#general\"}");
            sender.await("JOINED");
            long ts = System.currentTimeMillis();
            String msg = JSON.createObjectNode().put("type", "MSG").put("to", "#general").put("content", "once")
                    .put("ts", ts).put("sig", key.sign(SignedText.msg("#general", "once", ts))).toString();
            sender.send(msg);
            sender.await("MSG", f -> "once".equals(f.path("content").asText()));
            sender.drainUntilPong();

            assertEquals("+OK", redis.ask("FLUSHALL")); // as Redis restarted empty: the cluster forgot the signature
            sender.send(msg);
            JsonNode refused = sender.await("ERROR");
            assertEquals("SIGNATURE_REQUIRED", refused.get("code").asText(), refused.toString());

            long asked = System.nanoTime();
            sender.send("{\"type\":\"PING\"}");
            List<JsonNode> seen = new ArrayList<>();
            await().atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(20)).until(() -> {
                seen.addAll(sender.takeReceived());
                return seen.stream().anyMatch(f -> "PONG".equals(f.path("type").asText()));
            });
            long millis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - asked);
            assertTrue(millis < 2_000, "the PING after a refused replay was answered only after " + millis
                    + " ms: the connection was not read while an echo that will never come was awaited");
        }
    }
}
