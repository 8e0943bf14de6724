package io.agentchat.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Past {@code --max-announced-members}, a channel's joins, leaves, greetings and presence changes
 * are not told to its members (docs/protocol.md §7.2): one notice per member per join is what made a
 * join storm cost O(members²) frames.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class LargeChannelTest extends ServerHarness {

    private static List<String> types(List<JsonNode> frames) {
        return frames.stream().map(f -> f.path("type").asText() + (f.path("from").asText().equals("@server") ? "@server" : ""))
                .toList();
    }

    @Test
    void aChannelPastTheSizeStopsAnnouncingAndStartsAgainBelowIt() throws Exception {
        start(config().maxAnnouncedMembers(2).build());
        try (TestAgent a = joined("a", "#general"); TestAgent b = joined("b", "#general")) {
            assertEquals(List.of("AGENT_JOINED", "MSG@server"), types(a.drainUntilPong()), "2 members: told");

            TestAgent c = joined("c", "#general");
            assertEquals(List.of(), a.drainUntilPong(), "the third member joins unannounced");
            c.send("{\"type\":\"SET_PRESENCE\",\"status\":\"busy\"}");
            c.drainUntilPong();
            c.send("{\"type\":\"LEAVE\",\"channel\":\"#general\"}");
            c.await("LEFT");
            assertEquals(List.of(), b.drainUntilPong(), "nor its presence or its leaving");

            b.send("{\"type\":\"LEAVE\",\"channel\":\"#general\"}");
            b.await("LEFT");
            assertEquals(List.of("AGENT_LEFT"), types(a.drainUntilPong()), "2 members again: told");

            a.send("{\"type\":\"LIST_AGENTS\",\"channel\":\"#general\"}");
            assertEquals(1, a.await("AGENTS").get("list").size());
            c.close();
        }
    }

    @Test
    void theJoinerStillGetsTheWholeMemberList() throws Exception {
        start(config().maxAnnouncedMembers(0).build());
        try (TestAgent a = joined("a", "#general"); TestAgent b = ephemeral("b")) {
            b.send("{\"type\":\"JOIN\",\"channel\":\"#general\"}");
            JsonNode joined = b.await("JOINED");
            assertEquals(2, joined.get("agents").size());
            assertTrue(a.drainUntilPong().isEmpty());
        }
    }
}
