package io.agentchat.server;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * An invite belongs to one generation of a channel (docs/cluster.md, "Channels"). After Redis
 * restarts empty, relay A still has its copy of a private channel while relay B's agent creates a
 * new private channel of that name; an invite sent into A's stale copy must not open the new one.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class ClusterStaleInviteAttackTest extends ClusterHarness {
    /**
     * Relay A renews (and so writes back) its channels every third of the grace: at two minutes, not
     * before the test is over, so the namesake on B always gets the name.
     */
    private static final Duration GRACE = Duration.ofMinutes(2);

    @Override
    protected ServerConfig.Builder relayConfig(String name) {
        return super.relayConfig(name).emptyChannelGrace(GRACE);
    }

    /** Failed before: the invitee was admitted to B's new #secret and handed its messages. */
    @Test
    void anInviteIntoAStaleCopyDoesNotOpenTheNamesakeCreatedSinceRedisRestarted() throws Exception {
        try (TestAgent stale = joined(relayA, "stale");
             TestAgent namesake = joined(relayB, "namesake");
             TestAgent invitee = joined(relayB, "invitee")) {
            stale.send(create("#secret"));
            stale.await("JOINED", f -> "#secret".equals(f.path("channel").asText()));
            redis.restart();

            // Until the relays are back to Redis the answer is CLUSTER_UNAVAILABLE; asked at a pace the frame limit allows.
            JsonNode[] answered = new JsonNode[1];
            await().atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(150)).until(() -> {
                namesake.send(create("#secret"));
                answered[0] = answerTo(namesake);
                String code = answered[0].path("code").asText();
                return !"CLUSTER_UNAVAILABLE".equals(code) && !"RATE_LIMITED".equals(code);
            });
            assertEquals("JOINED", answered[0].path("type").asText(), "B's namesake takes the free name: " + answered[0]);
            namesake.send(msg("#secret", "new secret before"));
            namesake.await("MSG", f -> says(f, "new secret before"));

            stale.send(invite("#secret", invitee.id));
            List<JsonNode> answer = stale.drainUntilPong();
            invitee.send(join("#secret"));
            invitee.awaitError("NOT_INVITED", "Channel #secret is invite-only");
            // The inviter is told why, and its stale copy is let go.
            assertTrue(answer.stream().anyMatch(f -> "ERROR".equals(f.path("type").asText())
                    && "CHANNEL_NOT_FOUND".equals(f.path("code").asText())
                    && "Channel #secret is gone: the cluster gave its name to a new channel".equals(f.path("message").asText())),
                    answer.toString());
            assertTrue(answer.stream().anyMatch(f -> "LEFT".equals(f.path("type").asText())), answer.toString());
            namesake.send(msg("#secret", "new secret after"));
            namesake.await("MSG", f -> says(f, "new secret after"));
            // #general is delivered on relay B in Redis's one order: once the invitee sees the marker,
            // it has been handed everything the namesake published before it.
            namesake.send(msg("marker"));
            List<JsonNode> seen = framesUntil(invitee, f -> says(f, "marker"));
            assertTrue(seen.stream().noneMatch(f -> f.path("content").asText().startsWith("new secret")), seen.toString());
            assertTrue(seen.stream().noneMatch(f -> says(f, "You have been invited to #secret")), seen.toString());

            // The live channel's own member still invites, and the invitee then reads it.
            namesake.send(invite("#secret", invitee.id));
            invitee.await("MSG", f -> says(f, "You have been invited to #secret"));
            invitee.send(join("#secret"));
            invitee.await("JOINED", f -> "#secret".equals(f.path("channel").asText()));
            namesake.send(msg("#secret", "welcome"));
            invitee.await("MSG", f -> says(f, "welcome"));
        }
    }

    /** A member on relay A of a channel made on relay B invites through A's copy: the generations agree. */
    @Test
    void aMemberInvitesThroughItsRelaysCopyOfAChannelMadeElsewhere() throws Exception {
        try (TestAgent owner = joined(relayB, "owner");
             TestAgent member = joined(relayA, "member");
             TestAgent guest = joined(relayB, "guest")) {
            owner.send(create("#live"));
            owner.await("JOINED", f -> "#live".equals(f.path("channel").asText()));
            owner.send(invite("#live", member.id));
            member.await("MSG", f -> says(f, "You have been invited to #live"));
            member.send(join("#live"));
            member.await("JOINED", f -> "#live".equals(f.path("channel").asText()));

            member.send(invite("#live", guest.id));
            guest.await("MSG", f -> says(f, "You have been invited to #live"));
            guest.send(join("#live"));
            guest.await("JOINED", f -> "#live".equals(f.path("channel").asText()));
            member.send(msg("#live", "hello guest"));
            guest.await("MSG", f -> says(f, "hello guest"));
        }
    }

    private static String create(String channel) {
        return "{\"type\":\"CREATE_CHANNEL\",\"channel\":\"" + channel + "\",\"invite_only\":true}";
    }

    private static String invite(String channel, String agent) {
        return "{\"type\":\"INVITE\",\"channel\":\"" + channel + "\",\"agent\":\"" + agent + "\"}";
    }

    private static String join(String channel) {
        return "{\"type\":\"JOIN\",\"channel\":\"" + channel + "\"}";
    }

    private static boolean says(JsonNode frame, String content) {
        return content.equals(frame.path("content").asText());
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
