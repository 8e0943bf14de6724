package io.agentchat.server;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.agentchat.identity.Identity;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A relay of a cluster answers a connection's frames in the order they came, as a relay alone does
 * (docs/protocol.md, §2, "Order of answers"): the answers that come back through Redis (a channel
 * message's echo, a DM's to the other relay, a marketplace frame's from the relay that keeps its
 * proposal) are not overtaken by the answer to the frame after them. Clients match answers to
 * requests by order, so an overtaking ERROR is taken for the wrong request's.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class ClusterAnswerOrderTest extends ClusterHarness {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final int ROUNDS = 20;
    /** Answered on the spot, with no Redis round trip: it would overtake a late answer. */
    private static final String REFUSED = "{\"type\":\"LIST_AGENTS\",\"channel\":\"#nowhere\"}";

    /** Many frames in a row, well within what a relay allows a connection. */
    @Override
    protected ServerConfig.Builder relayConfig(String name) {
        return super.relayConfig(name).framesPerSecond(1000).frameBurst(1000);
    }

    @Test
    void aChannelMessagesEchoComesBeforeTheAnswerToTheNextFrame() throws Exception {
        try (TestAgent bob = joined(relayB, "bob"); TestAgent alice = joined(relayA, "alice")) {
            for (int i = 0; i < ROUNDS; i++) {
                alice.send(msg("m" + i));
                alice.send(REFUSED);
                assertAnswers(alice, "MSG", "ERROR");
                String content = "m" + i;
                bob.await("MSG", f -> content.equals(f.path("content").asText())); // delivered on the other relay
            }
        }
    }

    @Test
    void pipelinedChannelMessagesAreEchoedInOrderBeforeTheNextAnswer() throws Exception {
        try (TestAgent alice = joined(relayA, "alice")) {
            for (int i = 0; i < ROUNDS; i++) {
                alice.send(msg("a" + i));
                alice.send(msg("b" + i));
                alice.send(REFUSED);
                List<JsonNode> answers = assertAnswers(alice, "MSG", "MSG", "ERROR");
                assertEquals("a" + i, answers.get(0).get("content").asText());
                assertEquals("b" + i, answers.get(1).get("content").asText());
            }
        }
    }

    @Test
    void aDmToTheOtherRelayIsEchoedBeforeTheAnswerToTheNextFrame() throws Exception {
        try (TestAgent alice = TestAgent.ephemeral(client, relayA.uri(), "alice");
             TestAgent bob = TestAgent.ephemeral(client, relayB.uri(), "bob")) {
            for (int i = 0; i < ROUNDS; i++) {
                alice.send("{\"type\":\"MSG\",\"to\":\"" + bob.id + "\",\"content\":\"d" + i + "\"}");
                alice.send(REFUSED);
                assertAnswers(alice, "MSG", "ERROR");
                assertEquals("d" + i, bob.await("MSG").get("content").asText());
            }
        }
    }

    /** The proposal is kept by relay A; bob's frames about it, sent to relay B, are answered by A through Redis. */
    @Test
    void aForwardedMarketplaceFrameIsAnsweredBeforeTheNextFrame() throws Exception {
        Identity aliceKey = Identity.generate("alice", Clock.systemUTC());
        Identity bobKey = Identity.generate("bob", Clock.systemUTC());
        try (TestAgent alice = TestAgent.proven(client, relayA.uri(), aliceKey);
             TestAgent bob = TestAgent.proven(client, relayB.uri(), bobKey)) {
            for (int i = 0; i < ROUNDS / 4; i++) {
                alice.send(SignedMarketFrames.proposal(aliceKey, bob.id, "task " + i, 300));
                String id = bob.await("PROPOSAL").get("id").asText();

                bob.send(SignedMarketFrames.accept(bobKey, id));
                bob.send(REFUSED);
                assertEquals(id, assertAnswers(bob, "ACCEPT", "ERROR").get(0).get("proposal_id").asText());

                bob.send(SignedMarketFrames.accept(bobKey, id));
                bob.send(REFUSED);
                List<JsonNode> refusals = assertAnswers(bob, "ERROR", "ERROR");
                assertEquals("INVALID_PROPOSAL", refusals.get(0).get("code").asText(), "relay A's answer, first");
                assertEquals("CHANNEL_NOT_FOUND", refusals.get(1).get("code").asText());
            }
        }
    }

    /** The next frames of these types, in this order, with anything else in between failing too. */
    private static List<JsonNode> assertAnswers(TestAgent agent, String... types) throws Exception {
        List<JsonNode> answers = new ArrayList<>();
        for (String type : types) {
            JsonNode frame = agent.next();
            answers.add(frame);
            assertEquals(type, frame.path("type").asText(), "answers in the order of the frames: " + answers);
        }
        return answers;
    }
}
