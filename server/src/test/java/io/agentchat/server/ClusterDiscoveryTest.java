package io.agentchat.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.agentchat.identity.Identity;
import io.agentchat.identity.SignedText;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The {@code #discovery} announcement of a skill registration across two relays over one real
 * redis-server (docs/cluster.md, "Marketplace"): every reader of the channel, on either relay, gets
 * it once, as the same frame, and as on one relay it is a notice, not a channel message: no
 * {@code seq}, and no replay to a later joiner (docs/protocol.md §7.8).
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class ClusterDiscoveryTest extends ClusterHarness {
    private static final ObjectMapper JSON = new ObjectMapper();
    private final Identity aliceKey = Identity.generate("alice", Clock.systemUTC());

    @Test
    void aRegistrationOnOneRelayIsAnnouncedOnceToTheDiscoveryReadersOfEveryRelay() throws Exception {
        try (TestAgent alice = TestAgent.proven(client, relayA.uri(), aliceKey);
             TestAgent readerA = inDiscovery(relayA, "reader-a");
             TestAgent readerB = inDiscovery(relayB, "reader-b")) {
            String skills = "[{\"capability\":\"code_review\",\"rate\":10,\"currency\":\"TEST\"}]";
            alice.send("{\"type\":\"REGISTER_SKILLS\",\"skills\":" + skills + ",\"sig\":\""
                    + aliceKey.sign(SignedText.registerSkills(JSON.readTree(skills))) + "\"}");
            alice.await("SKILLS_REGISTERED");

            Predicate<JsonNode> announcement = frame -> "@server".equals(frame.path("from").asText())
                    && ("Agent " + alice.id + " registered 1 skill(s): code_review").equals(frame.path("content").asText());
            JsonNode onA = readerA.await("MSG", announcement);
            JsonNode onB = readerB.await("MSG", announcement);
            assertEquals(onA, onB, "relay B's reader gets the frame relay A made");
            assertEquals("#discovery", onB.get("to").asText());
            assertFalse(onB.has("seq") || onB.has("epoch"), "a notice, not numbered, as on one relay: " + onB);

            // Once: a message posted after it comes through the cluster's order behind it, and
            // nothing about the registration arrives before or after that message.
            readerA.send(msg("#discovery", "after the announcement"));
            for (TestAgent reader : List.of(readerA, readerB)) {
                List<JsonNode> rest = until(reader, "after the announcement");
                rest.addAll(reader.drainUntilPong());
                assertTrue(rest.stream().noneMatch(announcement), reader.id + " got it twice: " + rest);
            }

            // Not buffered for replay: a later reader on B is replayed the message, not the notice.
            try (TestAgent late = TestAgent.ephemeral(client, relayB.uri(), "late")) {
                late.send("{\"type\":\"JOIN\",\"channel\":\"#discovery\"}");
                late.await("JOINED");
                List<JsonNode> replayed = late.drainUntilPong();
                assertTrue(replayed.stream().anyMatch(f -> "after the announcement".equals(f.path("content").asText())),
                        "the channel's message is replayed: " + replayed);
                assertTrue(replayed.stream().noneMatch(announcement), "the notice is not: " + replayed);
            }
        }
    }

    private TestAgent inDiscovery(TestRelay relay, String name) throws Exception {
        TestAgent agent = TestAgent.ephemeral(client, relay.uri(), name);
        agent.send("{\"type\":\"JOIN\",\"channel\":\"#discovery\"}");
        agent.await("JOINED");
        agent.drainUntilPong();
        return agent;
    }

    /** The frames before the MSG with this content, which is read too. */
    private static List<JsonNode> until(TestAgent reader, String content) throws Exception {
        List<JsonNode> before = new ArrayList<>();
        for (JsonNode frame = reader.next(); !content.equals(frame.path("content").asText()); frame = reader.next()) {
            before.add(frame);
        }
        return before;
    }
}
