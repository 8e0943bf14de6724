package io.agentchat.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.agentchat.server.core.RecoveryConfig;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Channel sequence numbers and resuming after them (docs/protocol.md, "Resume"): every channel
 * message carries its channel's next seq and epoch, and a rejoin that names the last one seen gets
 * exactly what followed, or is told it cannot and gets the replay.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class ResumeTest extends ServerHarness {

    private static String join(String channel) {
        return "{\"type\":\"JOIN\",\"channel\":\"" + channel + "\"}";
    }

    private static String resume(String channel, long since, String epoch) {
        return "{\"type\":\"JOIN\",\"channel\":\"" + channel + "\",\"since\":" + since + ",\"epoch\":\"" + epoch + "\"}";
    }

    private static String msg(String to, String content) {
        return "{\"type\":\"MSG\",\"to\":\"" + to + "\",\"content\":\"" + content + "\"}";
    }

    /** Sends {@code count} messages numbered from {@code first}; the last one's echo. */
    private static JsonNode post(TestAgent agent, String channel, int first, int count) throws Exception {
        for (int i = first; i < first + count; i++) {
            agent.send(msg(channel, "m" + i));
        }
        String last = "m" + (first + count - 1);
        return agent.await("MSG", f -> last.equals(f.path("content").asText()));
    }

    /** The answer to a JOIN: JOINED, then every frame up to and including the welcome. */
    private static List<JsonNode> answer(TestAgent agent) throws Exception {
        List<JsonNode> frames = new ArrayList<>(List.of(agent.await("JOINED")));
        while (true) {
            JsonNode frame = agent.next();
            frames.add(frame);
            if ("@server".equals(frame.path("from").asText()) && frame.path("content").asText().startsWith("Welcome")) {
                return frames;
            }
        }
    }

    private static List<String> contents(List<JsonNode> frames) {
        return frames.stream().filter(f -> "MSG".equals(f.path("type").asText()))
                .filter(f -> !"@server".equals(f.path("from").asText()))
                .map(f -> f.path("content").asText()).toList();
    }

    @Test
    void everyChannelMessageCarriesTheNextSeqOfItsChannelsEpochAndDmsCarryNone() throws Exception {
        start();
        try (TestAgent a = joined("a", "#general"); TestAgent b = joined("b", "#general")) {
            a.send(join("#agents"));
            JsonNode agentsJoined = a.await("JOINED");
            a.drainUntilPong();
            post(a, "#general", 1, 3);
            List<JsonNode> seen = new ArrayList<>();
            for (int i = 0; i < 3; i++) {
                seen.add(b.await("MSG"));
            }
            String epoch = seen.get(0).get("epoch").asText();
            assertEquals(List.of(1L, 2L, 3L), seen.stream().map(f -> f.get("seq").asLong()).toList());
            assertTrue(seen.stream().allMatch(f -> epoch.equals(f.get("epoch").asText())), seen.toString());

            assertEquals(0, agentsJoined.get("seq").asLong(), "a channel starts at 0");
            assertNotEquals(epoch, agentsJoined.get("epoch").asText(), "each channel has its own epoch");
            a.send(msg("#agents", "elsewhere"));
            assertEquals(1, a.await("MSG", f -> "#agents".equals(f.path("to").asText())).get("seq").asLong());

            a.send(msg("@" + b.id.substring(1), "direct"));
            JsonNode dm = b.await("MSG", f -> "direct".equals(f.path("content").asText()));
            assertFalse(dm.has("seq") || dm.has("epoch"), dm.toString());
        }
    }

    @Test
    void aRejoinWithTheLastSeqSeenGetsExactlyTheMessagesAfterItInOrder() throws Exception {
        start();
        try (TestAgent a = joined("a", "#general")) {
            TestAgent b = ephemeral("b");
            b.send(join("#general"));
            JsonNode joined = b.await("JOINED");
            String epoch = joined.get("epoch").asText();
            post(a, "#general", 1, 2);
            long lastSeen = b.await("MSG", f -> "m2".equals(f.path("content").asText())).get("seq").asLong();
            b.close();
            post(a, "#general", 3, 30); // more than the replay buffer's 20

            try (TestAgent back = ephemeral("b")) {
                back.send(resume("#general", lastSeen, epoch));
                List<JsonNode> answer = answer(back);
                JsonNode rejoined = answer.get(0);
                assertTrue(rejoined.get("recovered").asBoolean(), rejoined.toString());
                assertEquals(32, rejoined.get("seq").asLong());
                List<String> expected = new ArrayList<>();
                for (int i = 3; i <= 32; i++) {
                    expected.add("m" + i);
                }
                assertEquals(expected, contents(answer));
                List<JsonNode> recovered = answer.subList(1, answer.size() - 1);
                assertTrue(recovered.stream().noneMatch(f -> f.has("replay")), "recovered messages are not history");
                assertEquals(3, recovered.get(0).get("seq").asLong());

                post(a, "#general", 33, 1);
                assertEquals(33, back.await("MSG", f -> "m33".equals(f.path("content").asText())).get("seq").asLong());
            }
        }
    }

    @Test
    void aResumeAtTheLatestSeqRecoversNothingAndSaysItIsComplete() throws Exception {
        start();
        try (TestAgent a = joined("a", "#general")) {
            JsonNode echo = post(a, "#general", 1, 2);
            try (TestAgent b = ephemeral("b")) {
                b.send(resume("#general", echo.get("seq").asLong(), echo.get("epoch").asText()));
                List<JsonNode> answer = answer(b);
                assertTrue(answer.get(0).get("recovered").asBoolean());
                assertEquals(List.of(), contents(answer));
            }
        }
    }

    @Test
    void aResumeThatCannotBeCompleteSaysSoAndGetsTheReplayInstead() throws Exception {
        start(config().recovery(new RecoveryConfig(5, Duration.ofMinutes(5), 1 << 20, 100, Duration.ofMinutes(5),
                1 << 20, 1 << 20)).build());
        try (TestAgent a = joined("a", "#general"); TestAgent b = ephemeral("b")) {
            post(a, "#general", 1, 25);
            b.send(join("#general"));
            String epoch = answer(b).get(0).get("epoch").asText();

            for (String since : List.of(
                    "1,\"epoch\":\"" + epoch + "\"", // older than the 5 kept
                    "26,\"epoch\":\"" + epoch + "\"", // a seq this channel has not reached
                    "25,\"epoch\":\"000000000000\"")) { // another history
                b.send("{\"type\":\"LEAVE\",\"channel\":\"#general\"}");
                b.await("LEFT");
                b.send("{\"type\":\"JOIN\",\"channel\":\"#general\",\"since\":" + since + "}");
                List<JsonNode> answer = answer(b);
                assertFalse(answer.get(0).get("recovered").asBoolean(), since);
                List<JsonNode> replay = answer.subList(1, answer.size() - 1);
                assertEquals(20, replay.size(), since);
                assertTrue(replay.stream().allMatch(f -> f.get("replay").asBoolean()), since);
                assertEquals("m25", replay.get(19).get("content").asText());
            }
        }
    }

    @Test
    void aRecoveryTooLargeForTheClientsSocketIsRefusedRatherThanGetItDropped() throws Exception {
        start(config().maxOutgoingBytes(8192).build()); // at most 2,048 characters in one recovery
        try (TestAgent a = joined("a", "#general")) {
            String big = "x".repeat(500); // a frame of about 610 characters
            JsonNode first = null;
            for (int i = 0; i < 4; i++) {
                a.send(msg("#general", big));
                JsonNode echo = a.await("MSG", f -> big.equals(f.path("content").asText()));
                first = first == null ? echo : first;
            }
            try (TestAgent b = ephemeral("b")) {
                b.send(resume("#general", first.get("seq").asLong() - 1, first.get("epoch").asText()));
                assertFalse(answer(b).get(0).get("recovered").asBoolean(), "4 frames, about 2,440 characters");
                b.send("{\"type\":\"LEAVE\",\"channel\":\"#general\"}");
                b.await("LEFT");
                b.send(resume("#general", first.get("seq").asLong(), first.get("epoch").asText()));
                assertTrue(answer(b).get(0).get("recovered").asBoolean(), "3 frames, about 1,830 characters");
                assertTrue(b.isOpen());
            }
        }
    }

    @Test
    void historyOlderThanItsAgeIsNotRecovered() throws Exception {
        MutableClock clock = new MutableClock();
        start(config().clock(clock).build());
        try (TestAgent a = joined("a", "#general")) {
            a.send(msg("#general", "old"));
            JsonNode echo = a.await("MSG", f -> "old".equals(f.path("content").asText()));
            a.send(msg("#general", "older than the window"));
            a.await("MSG", f -> "older than the window".equals(f.path("content").asText()));
            clock.advance(Duration.ofMinutes(5).plusSeconds(1));
            try (TestAgent b = ephemeral("b")) {
                b.send(resume("#general", echo.get("seq").asLong(), echo.get("epoch").asText()));
                assertFalse(answer(b).get(0).get("recovered").asBoolean());
            }
        }
    }

    @Test
    void badResumeFieldsGetAnErrorAndTheConnectionStaysUsable() throws Exception {
        start();
        try (TestAgent b = ephemeral("b")) {
            String together = "since and epoch go together: send both to resume, or neither";
            String badSince = "since must be a non-negative integer (the seq of the last message seen)";
            b.send("{\"type\":\"JOIN\",\"channel\":\"#general\",\"since\":3}");
            b.awaitError("INVALID_MSG", together);
            b.send("{\"type\":\"JOIN\",\"channel\":\"#general\",\"epoch\":\"abc\"}");
            b.awaitError("INVALID_MSG", together);
            for (String since : List.of("\"3\"", "-1", "1.5", "9007199254740992", "1e400", "[1]", "true")) {
                b.send("{\"type\":\"JOIN\",\"channel\":\"#general\",\"since\":" + since + ",\"epoch\":\"abc\"}");
                b.awaitError("INVALID_MSG", badSince);
            }
            b.send("{\"type\":\"JOIN\",\"channel\":\"#general\",\"since\":0,\"epoch\":7}");
            b.awaitError("INVALID_MSG", "epoch must be a string");
            b.send("{\"type\":\"JOIN\",\"channel\":\"#general\",\"since\":0,\"epoch\":\"" + "e".repeat(65) + "\"}");
            b.awaitError("INVALID_MSG", "epoch must be 1-64 characters (as the server sent it)");
            b.send("{\"type\":\"JOIN\",\"channel\":\"#nowhere\",\"since\":0,\"epoch\":\"abc\"}");
            b.awaitError("CHANNEL_NOT_FOUND", "Channel #nowhere not found");

            b.send(resume("#general", 0, "abc"));
            assertFalse(answer(b).get(0).get("recovered").asBoolean());
            assertTrue(b.isOpen());
        }
    }

    @Test
    void aPrivateChannelRecoversOnlyToWhoMayJoinIt() throws Exception {
        start();
        try (TestAgent owner = ephemeral("owner"); TestAgent outsider = ephemeral("outsider")) {
            owner.send("{\"type\":\"CREATE_CHANNEL\",\"channel\":\"#secret\",\"invite_only\":true}");
            JsonNode created = owner.await("JOINED");
            owner.send(msg("#secret", "hidden"));
            owner.await("MSG", f -> "hidden".equals(f.path("content").asText()));

            outsider.send(resume("#secret", 0, created.get("epoch").asText()));
            outsider.awaitError("NOT_INVITED", "Channel #secret is invite-only");
            List<JsonNode> rest = outsider.drainUntilPong();
            assertTrue(rest.stream().noneMatch(f -> "MSG".equals(f.path("type").asText())), rest.toString());

            owner.send("{\"type\":\"INVITE\",\"channel\":\"#secret\",\"agent\":\"" + outsider.id + "\"}");
            outsider.await("MSG", f -> f.path("content").asText().startsWith("You have been invited"));
            outsider.send(resume("#secret", 0, created.get("epoch").asText()));
            List<JsonNode> answer = answer(outsider);
            assertTrue(answer.get(0).get("recovered").asBoolean());
            assertEquals(List.of("hidden"), contents(answer));
        }
    }

    @Test
    void welcomeSaysTheServersMessagePace() throws Exception {
        start(config().rateLimit(Duration.ofMillis(250)).rateBurst(3).build());
        try (TestAgent agent = TestAgent.connect(client, uri)) {
            agent.send("{\"type\":\"IDENTIFY\",\"name\":\"pace\"}");
            JsonNode welcome = agent.await("WELCOME");
            assertEquals(250, welcome.get("rate_limit_ms").asLong());
            assertEquals(3, welcome.get("rate_burst").asInt());
        }
    }

    @Test
    void welcomeSaysTheFrameBudgetWhenItIsTheTighterLimit() throws Exception {
        start(config().rateLimit(Duration.ofMillis(10)).rateBurst(100).framesPerSecond(20).frameBurst(50).build());
        try (TestAgent agent = TestAgent.connect(client, uri)) {
            agent.send("{\"type\":\"IDENTIFY\",\"name\":\"pace\"}");
            JsonNode welcome = agent.await("WELCOME");
            assertEquals(50, welcome.get("rate_limit_ms").asLong(), "20 frames a second");
            assertEquals(50, welcome.get("rate_burst").asInt());
        }
    }
}
