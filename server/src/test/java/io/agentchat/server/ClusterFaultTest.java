package io.agentchat.server;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

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

    /**
     * Both relays' Pub/Sub connections drop, and Redis refuses them back (maxclients) while b posts
     * three messages: nobody hears them live. Once the subscriptions are back, each relay fetches
     * what it missed from the history and hands it out before anything newer, once. Before, the
     * three were never delivered (the relay only logged a gap).
     */
    @Test
    void messagesPublishedWhileTheSubscriptionWasDownArriveOnceItIsBack() throws Exception {
        try (TestAgent a = joined(relayA, "a"); TestAgent b = joined(relayB, "b"); SubscriptionCut cut = new SubscriptionCut(redis)) {
            a.send(msg("before"));
            a.await("MSG", f -> agentMsg(f, "before"));
            b.await("MSG", f -> agentMsg(f, "before"));

            assertTrue(cut.cut() >= 2);
            for (int i = 1; i <= 3; i++) {
                b.send(msg("while-" + i));
            }
            // "before" and the three are in the history: posted while nobody was subscribed.
            await().atMost(Duration.ofSeconds(20)).until(() -> cut.commands().llen("agentchat:{#general}:log") == 4);
            cut.restore();
            await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(100))
                    .until(() -> cut.patternSubscribers() == 2);
            b.send(msg("after"));

            List<String> expected = List.of("while-1", "while-2", "while-3", "after");
            assertEquals(expected, contentsUntil(a, "after"));
            assertEquals(expected, contentsUntil(b, "after"));
        }
    }

    /**
     * Redis goes away: a post is refused with CLUSTER_UNAVAILABLE (before, the message vanished and
     * its sender heard nothing), the relay neither hangs nor drops the connection, and the sender
     * can go on.
     */
    @Test
    void whileRedisIsAwayAPostIsRefusedWithAClearErrorAndTheConnectionStaysUsable() throws Exception {
        try (TestAgent a = joined(relayA, "a")) {
            redis.kill();
            await().atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(250)).until(() -> {
                a.send(msg("lost"));
                return a.takeReceived().stream().anyMatch(f -> "ERROR".equals(f.path("type").asText())
                        && "CLUSTER_UNAVAILABLE".equals(f.path("code").asText())
                        && f.path("message").asText().contains("not delivered"));
            });
            a.drainUntilPong();
            assertTrue(a.isOpen());
        }
    }

    /**
     * Redis stalls past the relays' 5 s command timeout and then runs what waited: a post that timed
     * out may still be carried out, so its sender is told it may or may not have been delivered (not
     * "was not delivered"), and if it was, its echo and the other relay's copy follow.
     */
    @Test
    void aPostRedisDidNotAnswerInTimeIsReportedUnsureAndDeliveredOnceRedisWakes() throws Exception {
        try (TestAgent a = joined(relayA, "a"); TestAgent b = joined(relayB, "b")) {
            assertEquals("+OK", redis.ask("CLIENT PAUSE 7000 ALL"));
            a.send(msg("slow"));
            List<JsonNode> seen = new ArrayList<>();
            // Past the 5 s command timeout, so past TestAgent's own wait.
            await().atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(50)).until(() -> {
                seen.addAll(a.takeReceived());
                return seen.stream().anyMatch(f -> "ERROR".equals(f.path("type").asText()));
            });
            JsonNode refused = seen.stream().filter(f -> "ERROR".equals(f.path("type").asText())).findFirst().orElseThrow();
            assertEquals("CLUSTER_UNAVAILABLE", refused.get("code").asText());
            assertTrue(refused.get("message").asText().contains("may or may not have been delivered"), refused::toString);
            a.await("MSG", f -> agentMsg(f, "slow"));
            b.await("MSG", f -> agentMsg(f, "slow"));
        }
    }

    private static List<String> contentsUntil(TestAgent agent, String last) throws Exception {
        List<String> contents = new ArrayList<>();
        while (!contents.contains(last)) {
            JsonNode frame = agent.await("MSG", f -> "#general".equals(f.path("to").asText()));
            contents.add(frame.path("content").asText());
        }
        return contents;
    }
}
