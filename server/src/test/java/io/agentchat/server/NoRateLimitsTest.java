package io.agentchat.server;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * {@code serve --no-rate-limits} ({@link ServerConfig.Builder#noRateLimits()}): no MSG rate, no
 * frame budget, no membership-change rate; the memory bounds stay. The clock moves only by hand,
 * so with the limits on nothing refills while the burst is handled.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class NoRateLimitsTest extends ServerHarness {
    private static final int FRAMES = 150;

    /**
     * Sends MSGs and JOIN/LEAVE pairs, 450 frames, well past every default budget (the frame
     * budget counts all three types).
     */
    private static void burst(TestAgent agent) {
        for (int i = 0; i < FRAMES; i++) {
            agent.send("{\"type\":\"MSG\",\"to\":\"#agents\",\"content\":\"m" + i + "\"}");
            agent.send("{\"type\":\"JOIN\",\"channel\":\"#general\"}");
            agent.send("{\"type\":\"LEAVE\",\"channel\":\"#general\"}");
        }
    }

    private static long count(List<JsonNode> frames, String type) {
        return frames.stream().filter(f -> type.equals(f.path("type").asText())).count();
    }

    @Test
    void everyRateLimitIsOffAndTheMemoryBoundsStay() throws Exception {
        ServerConfig config = config().clock(new MutableClock()).rateLimit(Duration.ofSeconds(1))
                .maxChannelsPerAddress(1).noRateLimits().build();
        start(config);
        try (TestAgent agent = joined("bench", "#agents")) {
            burst(agent);
            List<JsonNode> replies = agent.drainUntilPong();
            assertEquals(0, count(replies, "ERROR"), replies.stream().filter(f -> "ERROR".equals(f.path("type").asText()))
                    .findFirst().map(JsonNode::toString).orElse(""));
            assertEquals(FRAMES, count(replies, "MSG") - count(replies, "JOINED"), "every MSG echoed (each JOIN adds a welcome MSG)");
            assertEquals(FRAMES, count(replies, "JOINED"));
            assertEquals(FRAMES, count(replies, "LEFT"));
            agent.send("{\"type\":\"CREATE_CHANNEL\",\"channel\":\"#one\"}");
            agent.await("JOINED");
            agent.send("{\"type\":\"CREATE_CHANNEL\",\"channel\":\"#two\"}");
            agent.awaitError("INVALID_MSG", "Channel limit reached (max 1 channels per address)");
        }
    }

    @Test
    void withTheDefaultsTheSameBurstIsRateLimited() throws Exception {
        start(config().clock(new MutableClock()).rateLimit(Duration.ofSeconds(1)).build());
        try (TestAgent agent = joined("bench", "#agents")) {
            burst(agent);
            // The frozen budget refuses a PING too, so the errors themselves are the barrier.
            agent.await("ERROR", f -> f.path("message").asText().equals("Rate limit exceeded (max 1 message per second)"));
            agent.await("ERROR", f -> f.path("message").asText().equals("Rate limit exceeded (too many frames)"));
        }
    }
}
