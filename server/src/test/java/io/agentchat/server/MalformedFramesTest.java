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

/** What the relay does with frames that are not frames: one gets an ERROR, a stream of them gets the door. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class MalformedFramesTest extends ServerHarness {

    @Test
    void textAfterTheJsonValueIsInvalidJsonAndTheConnectionStaysUsable() throws Exception {
        start();
        try (TestAgent agent = ephemeral("trailer")) {
            agent.send("{\"type\":\"PING\"} xyz");
            assertInvalidJson(agent.next());
            agent.send("{\"type\":\"PING\"}{\"type\":\"PING\"}");
            assertInvalidJson(agent.next());
            agent.send("{\"type\":\"PING\"}  \n");
            assertEquals("PONG", agent.next().get("type").asText());
        }
    }

    @Test
    void oneMalformedFrameGetsAnErrorAndTheConnectionStaysUsable() throws Exception {
        start();
        try (TestAgent agent = ephemeral("clumsy")) {
            agent.send("{\"type\":");
            assertInvalidJson(agent.next());
            agent.send("{\"type\":\"PING\"}");
            assertEquals("PONG", agent.next().get("type").asText());
            assertTrue(agent.isOpen());
        }
    }

    @Test
    void framesAreChargedToTheFrameBudgetBeforeTheyAreParsed() throws Exception {
        // A large invalid-frame allowance, so only the frame budget (burst 50) is at work here.
        start(config().clock(new MutableClock()).maxInvalidFramesPerMinute(1000).build());
        try (TestAgent agent = TestAgent.connect(client, uri)) {
            for (int i = 0; i < 60; i++) {
                agent.send("{\"type\":");
            }
            int invalid = 0;
            int limited = 0;
            for (int i = 0; i < 60; i++) {
                JsonNode error = agent.next();
                switch (error.path("code").asText()) {
                    case "INVALID_MSG" -> invalid++;
                    case "RATE_LIMITED" -> limited++;
                    default -> throw new AssertionError("unexpected " + error);
                }
            }
            assertEquals(50, invalid, "the frame budget's burst");
            assertEquals(10, limited, "refused before parsing");
        }
    }

    /**
     * 1,000 malformed frames in one burst. The server closes with 1008 after the allowance, but
     * this peer is still writing then, so its TCP connection may be reset before it reads the close
     * frame (it sees 1006): either way it is closed, with no more replies than the allowance.
     */
    @Test
    void aBurstOfGarbageGetsAtMostItsAllowanceOfRepliesAndIsClosed() throws Exception {
        start(config().clock(new MutableClock()).build());
        int allowance = server.config().maxInvalidFramesPerMinute();
        try (TestAgent attacker = TestAgent.connect(client, uri); TestAgent bystander = ephemeral("bystander")) {
            for (int i = 0; i < 1000; i++) {
                attacker.send("{\"type\":");
            }
            assertTrue(attacker.awaitClose(), "closed");
            assertTrue(attacker.closeCode() == 1008 || attacker.closeCode() == 1006, "close " + attacker.closeCode());
            List<JsonNode> replies = attacker.takeReceived();
            assertTrue(replies.size() <= allowance, replies.size() + " replies");
            assertTrue(allowance < 50, "fewer replies than the frame budget's burst");
            replies.forEach(MalformedFramesTest::assertInvalidJson);
            bystander.send("{\"type\":\"PING\"}");
            assertEquals("PONG", bystander.next().get("type").asText());
        }
    }

    /** A client that keeps sending garbage, reading each answer: its allowance of ERRORs, then 1008. */
    @Test
    void aClientThatKeepsSendingGarbageIsClosedWith1008AfterItsAllowance() throws Exception {
        start(config().clock(new MutableClock()).build());
        int allowance = server.config().maxInvalidFramesPerMinute();
        try (TestAgent attacker = TestAgent.connect(client, uri)) {
            List<JsonNode> replies = new ArrayList<>();
            int sent = 0;
            while (!attacker.isClosed() && sent < 1000) {
                attacker.send("{\"type\":");
                sent++;
                int answered = sent;
                await().atMost(5, TimeUnit.SECONDS).pollInterval(Duration.ofMillis(5)).until(() -> {
                    replies.addAll(attacker.takeReceived());
                    return replies.size() >= answered || attacker.isClosed();
                });
            }
            assertEquals(1008, attacker.closeCode(), attacker.closeReason());
            assertEquals("Too many invalid frames", attacker.closeReason());
            replies.addAll(attacker.takeReceived());
            assertEquals(allowance + 1, sent, "closed on the first frame past the allowance");
            assertEquals(allowance, replies.size(), "one ERROR per frame of the allowance, then none: " + replies);
            replies.forEach(MalformedFramesTest::assertInvalidJson);
        }
    }

    private static void assertInvalidJson(JsonNode frame) {
        assertEquals("ERROR", frame.get("type").asText(), frame.toString());
        assertEquals("INVALID_MSG", frame.get("code").asText());
        assertEquals("Invalid JSON", frame.get("message").asText());
    }
}
