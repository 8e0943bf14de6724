package io.agentchat.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
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

    @Test
    void aStreamOfGarbageGetsItsAllowanceOfErrorsThenIsClosedWith1008() throws Exception {
        start(config().clock(new MutableClock()).build());
        int allowance = server.config().maxInvalidFramesPerMinute();
        try (TestAgent attacker = TestAgent.connect(client, uri); TestAgent bystander = ephemeral("bystander")) {
            for (int i = 0; i < 1000; i++) {
                attacker.send("{\"type\":");
            }
            assertTrue(attacker.awaitClose(), "closed");
            assertEquals(1008, attacker.closeCode());
            assertEquals("Too many invalid frames", attacker.closeReason());
            List<JsonNode> replies = attacker.takeReceived();
            assertEquals(allowance, replies.size(), "one ERROR per frame of the allowance, then nothing: " + replies);
            assertTrue(replies.size() <= 50, "no more replies than the frame budget's burst");
            replies.forEach(MalformedFramesTest::assertInvalidJson);
            bystander.send("{\"type\":\"PING\"}");
            assertEquals("PONG", bystander.next().get("type").asText());
        }
    }

    private static void assertInvalidJson(JsonNode frame) {
        assertEquals("ERROR", frame.get("type").asText(), frame.toString());
        assertEquals("INVALID_MSG", frame.get("code").asText());
        assertEquals("Invalid JSON", frame.get("message").asText());
    }
}
