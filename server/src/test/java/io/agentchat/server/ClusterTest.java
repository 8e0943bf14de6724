package io.agentchat.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.LongStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Two relays over one real redis-server (docs/cluster.md): a channel's messages reach its members
 * on both relays in one order, with one seq and epoch, and a client resumes on the other relay
 * where it was. No mock of Redis.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class ClusterTest extends ClusterHarness {

    /** The next {@code count} channel messages from agents (not {@code @server}). */
    private static List<JsonNode> messages(TestAgent agent, int count) throws Exception {
        List<JsonNode> seen = new ArrayList<>();
        while (seen.size() < count) {
            seen.add(agent.await("MSG", f -> "#general".equals(f.path("to").asText())
                    && !"@server".equals(f.path("from").asText())));
        }
        return seen;
    }

    private static List<String> described(List<JsonNode> frames) {
        return frames.stream().map(f -> f.path("content").asText() + "@" + f.path("seq").asLong() + "/"
                + f.path("epoch").asText()).toList();
    }

    @Test
    void messagesPostedOnEitherRelayReachBothInOneOrderWithOneSeqAndEpoch() throws Exception {
        try (TestAgent a = TestAgent.ephemeral(client, relayA.uri(), "a");
             TestAgent b = TestAgent.ephemeral(client, relayB.uri(), "b")) {
            a.send("{\"type\":\"JOIN\",\"channel\":\"#general\"}");
            JsonNode joinedA = a.await("JOINED");
            a.drainUntilPong();
            b.send("{\"type\":\"JOIN\",\"channel\":\"#general\"}");
            JsonNode joinedB = b.await("JOINED");
            b.drainUntilPong();
            assertEquals(joinedA.get("epoch").asText(), joinedB.get("epoch").asText(), "one epoch for the channel");
            assertEquals(0, joinedB.get("seq").asLong());

            // Both post at once, so the two relays' messages interleave in Redis.
            for (int i = 1; i <= 5; i++) {
                a.send(msg("a" + i));
                b.send(msg("b" + i));
            }
            List<JsonNode> seenByA = messages(a, 10);
            List<JsonNode> seenByB = messages(b, 10);

            assertEquals(described(seenByA), described(seenByB), "the same messages, in the same order, numbered alike");
            assertEquals(LongStream.rangeClosed(1, 10).boxed().toList(),
                    seenByA.stream().map(f -> f.get("seq").asLong()).toList());
            String epoch = joinedA.get("epoch").asText();
            assertTrue(seenByB.stream().allMatch(f -> epoch.equals(f.get("epoch").asText())), seenByB.toString());
            List<String> contents = seenByB.stream().map(f -> f.get("content").asText()).toList();
            for (int i = 1; i <= 5; i++) {
                assertTrue(contents.contains("a" + i) && contents.contains("b" + i), contents.toString());
                assertTrue(contents.indexOf("a" + i) > contents.indexOf("a" + (i - 1)), "one sender's order kept: " + contents);
            }
            assertTrue(a.drainUntilPong().stream().noneMatch(f -> "MSG".equals(f.path("type").asText())
                    && !"@server".equals(f.path("from").asText())), "each message delivered once");
        }
    }

    @Test
    void aClientThatMovesToTheOtherRelayResumesExactlyAfterTheLastSeqItRead() throws Exception {
        try (TestAgent poster = joined(relayB, "poster")) {
            JsonNode last;
            try (TestAgent reader = joined(relayA, "reader")) {
                for (int i = 1; i <= 3; i++) {
                    poster.send(msg("m" + i));
                }
                last = messages(reader, 3).get(2);
                assertEquals("m3", last.get("content").asText());
            }
            for (int i = 4; i <= 6; i++) {
                poster.send(msg("m" + i));
            }
            assertEquals("m6", messages(poster, 6).get(5).get("content").asText()); // relay B has delivered m6

            try (TestAgent back = TestAgent.ephemeral(client, relayB.uri(), "reader")) {
                back.send("{\"type\":\"JOIN\",\"channel\":\"#general\",\"since\":" + last.get("seq").asLong()
                        + ",\"epoch\":\"" + last.get("epoch").asText() + "\"}");
                JsonNode joined = back.await("JOINED");
                assertTrue(joined.path("recovered").asBoolean(false), joined.toString());
                assertEquals(6, joined.get("seq").asLong());
                assertEquals(last.get("epoch").asText(), joined.get("epoch").asText());
                List<JsonNode> recovered = messages(back, 3);
                assertEquals(List.of("m4@4", "m5@5", "m6@6"), recovered.stream()
                        .map(f -> f.get("content").asText() + "@" + f.get("seq").asLong()).toList());
                assertTrue(recovered.stream().noneMatch(f -> f.has("replay")), "recovered, not replayed");

                // Live messages follow the recovered ones with no gap and no repeat.
                poster.send(msg("m7"));
                assertEquals(7, messages(back, 1).get(0).get("seq").asLong());
            }

            try (TestAgent stranger = TestAgent.ephemeral(client, relayA.uri(), "stranger")) {
                stranger.send("{\"type\":\"JOIN\",\"channel\":\"#general\",\"since\":3,\"epoch\":\"000000000000\"}");
                JsonNode joined = stranger.await("JOINED");
                assertFalse(joined.path("recovered").asBoolean(true), "another epoch is not recovered: " + joined);
                assertNotEquals("000000000000", joined.get("epoch").asText());
            }
        }
    }
}
