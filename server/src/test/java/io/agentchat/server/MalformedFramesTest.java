package io.agentchat.server;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
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

    private static void assertInvalidJson(JsonNode frame) {
        assertEquals("ERROR", frame.get("type").asText(), frame.toString());
        assertEquals("INVALID_MSG", frame.get("code").asText());
        assertEquals("Invalid JSON", frame.get("message").asText());
    }
}
