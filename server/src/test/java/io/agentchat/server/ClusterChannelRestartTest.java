package io.agentchat.server;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Predicate;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Redis restarting empty while a created channel is in use (docs/cluster.md, "Channels"): until the
 * relays write their channels back (every third of the grace), the name looks free, and a namesake
 * on another relay can create it. The two channels must not share a log.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class ClusterChannelRestartTest extends ClusterHarness {
    /** A long grace, so relay A writes #secret back only seconds after Redis restarted. */
    private static final Duration GRACE = Duration.ofSeconds(30);

    @Override
    protected ServerConfig.Builder relayConfig(String name) {
        return super.relayConfig(name).emptyChannelGrace(GRACE);
    }

    private static String createPrivate(String channel) {
        return "{\"type\":\"CREATE_CHANNEL\",\"channel\":\"" + channel + "\",\"invite_only\":true}";
    }

    private static boolean says(JsonNode frame, String content) {
        return content.equals(frame.path("content").asText());
    }

    /** Failed before: the namesake's #secret read the owner's messages ("members only"). */
    @Test
    void aNamesakeCreatedWhileRedisForgotAPrivateChannelReadsNoneOfItsMessages() throws Exception {
        try (TestAgent owner = joined(relayA, "owner");
             TestAgent namesake = joined(relayB, "namesake")) {
            owner.send(createPrivate("#secret"));
            owner.await("JOINED", f -> "#secret".equals(f.path("channel").asText()));
            redis.restart();

            // Until the relays are back to Redis the answer is CLUSTER_UNAVAILABLE; asked at a pace the frame limit allows.
            JsonNode[] answered = new JsonNode[1];
            await().atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(150)).until(() -> {
                namesake.send(createPrivate("#secret"));
                answered[0] = answerTo(namesake);
                String code = answered[0].path("code").asText();
                return !"CLUSTER_UNAVAILABLE".equals(code) && !"RATE_LIMITED".equals(code);
            });
            JsonNode answer = answered[0];
            if ("ERROR".equals(answer.path("type").asText())) {
                // Relay A wrote #secret back first: the name was never free, nothing to leak.
                assertEquals("CHANNEL_EXISTS", answer.path("code").asText(), answer.toString());
                return;
            }
            assertEquals("JOINED", answer.path("type").asText(), answer.toString());
            assertTrue(!answer.path("agents").toString().contains(owner.id), "the old channel's members are not shown: " + answer);

            owner.send(msg("#secret", "members only"));
            List<JsonNode> onA = new ArrayList<>(framesUntil(owner, f -> says(f, "members only")));
            namesake.send(msg("#secret", "injected"));
            List<JsonNode> onB = new ArrayList<>(framesUntil(namesake, f -> says(f, "injected")));
            // #general is shared and delivered on each relay in Redis's one order: once each sees the
            // other's marker, it has been handed everything published before it.
            owner.send(msg("marker from a"));
            namesake.send(msg("marker from b"));
            onB.addAll(framesUntil(namesake, f -> says(f, "marker from a")));
            onA.addAll(framesUntil(owner, f -> says(f, "marker from b")));
            assertTrue(onB.stream().noneMatch(f -> says(f, "members only")), onB.toString());
            assertTrue(onA.stream().noneMatch(f -> says(f, "injected")), onA.toString());
        }
    }

    /** The JOINED or ERROR that answers a CREATE_CHANNEL. */
    private static JsonNode answerTo(TestAgent agent) throws Exception {
        while (true) {
            JsonNode frame = agent.next();
            String type = frame.path("type").asText();
            if ("JOINED".equals(type) || "ERROR".equals(type)) {
                return frame;
            }
        }
    }

    /** Every frame up to and including the first that matches. */
    private static List<JsonNode> framesUntil(TestAgent agent, Predicate<JsonNode> last) throws Exception {
        List<JsonNode> frames = new ArrayList<>();
        while (true) {
            JsonNode frame = agent.next();
            frames.add(frame);
            if (last.test(frame)) {
                return frames;
            }
        }
    }
}
