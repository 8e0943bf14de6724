package io.agentchat.server;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.agentchat.identity.Identity;
import io.agentchat.identity.SignedText;
import java.time.Clock;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The marketplace's notices across two relays over one real redis-server (docs/cluster.md,
 * "Marketplace"): a proposal or a verification request reaches its addressee on the other relay
 * with the sender the proving relay established, an id nobody has anywhere is AGENT_NOT_FOUND as
 * on one relay, and with Redis away the sender hears CLUSTER_UNAVAILABLE instead.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class ClusterMarketTest extends ClusterHarness {
    private static final ObjectMapper JSON = new ObjectMapper();
    private final Identity aliceKey = Identity.generate("alice", Clock.systemUTC());
    private final Identity bobKey = Identity.generate("bob", Clock.systemUTC());

    private String proposal(String to) {
        ObjectNode p = JSON.createObjectNode().put("type", "PROPOSAL").put("to", to).put("task", "Review PR #42")
                .put("currency", "USDC").put("expires", 300).put("amount", 2.0);
        p.put("sig", aliceKey.sign(SignedText.proposal(to, "Review PR #42", 2.0, "USDC", null, 300.0, null)));
        return p.toString();
    }

    @Test
    void aProposalReachesItsAddresseeOnTheOtherRelayFromTheSenderItsRelayProved() throws Exception {
        try (TestAgent alice = TestAgent.proven(client, relayA.uri(), aliceKey);
             TestAgent bob = TestAgent.proven(client, relayB.uri(), bobKey)) {
            alice.send(proposal(bob.id));
            JsonNode echo = alice.await("PROPOSAL");
            JsonNode received = bob.await("PROPOSAL");
            assertEquals(echo, received, "the addressee gets the frame relay A encoded");
            assertEquals(alice.id, received.get("from").asText());
            assertEquals(bob.id, received.get("to").asText());
        }
    }

    @Test
    void aProposalToAnIdNobodyHasAnywhereIsAgentNotFoundAndTheConnectionStaysUsable() throws Exception {
        try (TestAgent alice = TestAgent.proven(client, relayA.uri(), aliceKey)) {
            TestAgent gone = TestAgent.proven(client, relayB.uri(), bobKey);
            String bobId = gone.id;
            gone.close();
            assertTrue(gone.awaitClose());
            alice.send(proposal("@deadbeef"));
            alice.awaitError("AGENT_NOT_FOUND", "Agent @deadbeef not found");
            // Once relay B lets bob go, no relay answers to his id.
            await().atMost(Duration.ofSeconds(5)).pollInterval(Duration.ofMillis(20)).until(() -> {
                alice.send(proposal(bobId));
                JsonNode answer = alice.await("ERROR", f -> true);
                return "AGENT_NOT_FOUND".equals(answer.path("code").asText());
            });
            alice.drainUntilPong();
            assertTrue(alice.isOpen());
        }
    }

    @Test
    void aVerificationRequestReachesItsTargetOnTheOtherRelayWithTheKeyItProvedThere() throws Exception {
        try (TestAgent alice = TestAgent.proven(client, relayA.uri(), aliceKey);
             TestAgent bob = TestAgent.proven(client, relayB.uri(), bobKey);
             TestAgent stranger = TestAgent.ephemeral(client, relayB.uri(), "stranger")) {
            alice.send("{\"type\":\"VERIFY_REQUEST\",\"target\":\"" + bob.id + "\",\"nonce\":\"nonce-for-bob-0001\"}");
            JsonNode ack = alice.await("VERIFY_REQUEST");
            JsonNode challenge = bob.await("VERIFY_REQUEST");
            assertEquals(alice.id, challenge.get("from").asText());
            assertEquals("nonce-for-bob-0001", challenge.get("nonce").asText());
            assertEquals("pending", ack.get("status").asText());
            assertEquals(challenge.get("request_id"), ack.get("request_id"));

            alice.send("{\"type\":\"VERIFY_REQUEST\",\"target\":\"" + stranger.id + "\",\"nonce\":\"nonce-for-stranger-02\"}");
            alice.awaitError("NO_PUBKEY", "Agent " + stranger.id + " has no persistent identity");
            assertFalse(stranger.drainUntilPong().stream().anyMatch(f -> "VERIFY_REQUEST".equals(f.path("type").asText())));
        }
    }

    @Test
    void whileRedisIsAwayAProposalToAnAgentElsewhereIsClusterUnavailableAndTheConnectionStaysUsable() throws Exception {
        try (TestAgent alice = TestAgent.proven(client, relayA.uri(), aliceKey);
             TestAgent bob = TestAgent.proven(client, relayB.uri(), bobKey)) {
            redis.kill();
            alice.send(proposal(bob.id));
            JsonNode error = alice.await("ERROR");
            assertEquals("CLUSTER_UNAVAILABLE", error.get("code").asText(), error.toString());
            assertEquals("Agent " + bob.id + " is not on this relay, and the cluster cannot be reached to find it;"
                    + " try again later", error.get("message").asText());
            alice.drainUntilPong();
            assertTrue(alice.isOpen());
        }
    }
}
