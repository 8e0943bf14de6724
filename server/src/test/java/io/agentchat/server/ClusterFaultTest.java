package io.agentchat.server;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The cluster when Redis fails under it (docs/cluster.md, "Known limits"). */
@Timeout(value = 90, unit = TimeUnit.SECONDS)
class ClusterFaultTest extends ClusterHarness {

    private static boolean agentMsg(JsonNode f, String content) {
        return "#general".equals(f.path("to").asText()) && content.equals(f.path("content").asText());
    }

    /**
     * Redis restarts (docs/cluster.md tells operators to run it without persistence, so it comes back
     * empty, script cache included) and messages flow again once Lettuce has reconnected. Every post
     * was an EVALSHA of a script Redis no longer knew (NOSCRIPT, forever) until the relays fell back
     * to EVAL (found by a hostile review; this test failed then).
     */
    @Test
    void afterRedisRestartsMessagesFlowAgain() throws Exception {
        try (TestAgent a = joined(relayA, "a"); TestAgent b = joined(relayB, "b")) {
            a.send(msg("before"));
            b.await("MSG", f -> agentMsg(f, "before"));

            redis.restart();
            // Lettuce reconnects within seconds; until it has, a post is refused at once (and logged).
            // So post until one arrives: the first that does opens the channel's new history.
            List<JsonNode> arrived = new ArrayList<>();
            int[] tries = {0};
            await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(200)).until(() -> {
                a.send(msg("after-" + tries[0]++));
                for (JsonNode f : b.takeReceived()) {
                    if (f.path("content").asText().startsWith("after-")) {
                        arrived.add(f);
                    }
                }
                return !arrived.isEmpty();
            });
            JsonNode after = arrived.get(0);
            assertEquals(1, after.get("seq").asLong(), "Redis came back empty: a new history starts at 1: " + after);
        }
    }
}
