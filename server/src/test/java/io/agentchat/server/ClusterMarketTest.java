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
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

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

    private int proposals;

    /** Alice's signed proposal; each names another task, since a proposal's signature is used once. */
    private String proposal(String to) {
        String task = "Review PR #" + ++proposals;
        ObjectNode p = JSON.createObjectNode().put("type", "PROPOSAL").put("to", to).put("task", task)
                .put("currency", "USDC").put("expires", 300).put("amount", 2.0);
        p.put("sig", aliceKey.sign(SignedText.proposal(to, task, 2.0, "USDC", null, 300.0, null)));
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

    private String proposeAcross(TestAgent alice, TestAgent bob) throws Exception {
        alice.send(proposal(bob.id));
        String id = alice.await("PROPOSAL").get("id").asText();
        assertEquals(id, bob.await("PROPOSAL").get("id").asText());
        return id;
    }

    private String signed(String type, String id, String field, String value, String sig) {
        ObjectNode f = JSON.createObjectNode().put("type", type).put("proposal_id", id);
        if (value != null) {
            f.put(field, value);
        }
        return f.put("sig", sig).toString();
    }

    /**
     * The proposal is kept by relay A, where it was made; bob's ACCEPT and COMPLETE on relay B are
     * handled there, and both parties hear the same frames, ratings included, as on one relay.
     */
    @Test
    void aProposalMadeOnOneRelayIsAcceptedAndCompletedByItsPartyOnTheOther() throws Exception {
        try (TestAgent alice = TestAgent.proven(client, relayA.uri(), aliceKey);
             TestAgent bob = TestAgent.proven(client, relayB.uri(), bobKey)) {
            String id = proposeAcross(alice, bob);
            bob.send(signed("ACCEPT", id, null, null, bobKey.sign(SignedText.accept(id, null, null))));
            JsonNode accepted = bob.await("ACCEPT");
            assertEquals(accepted, alice.await("ACCEPT"));
            assertEquals("accepted", accepted.get("status").asText());

            bob.send(signed("ACCEPT", id, null, null, bobKey.sign(SignedText.accept(id, null, null))));
            bob.awaitError("INVALID_PROPOSAL", "PROPOSAL_NOT_PENDING"); // relay A's answer, sent back to B

            bob.send(signed("COMPLETE", id, "proof", "tx:abc", bobKey.sign(SignedText.complete(id, "tx:abc"))));
            JsonNode completed = alice.await("COMPLETE");
            assertEquals(completed, bob.await("COMPLETE"));
            assertEquals(1212, completed.get("rating_changes").get(alice.id).get("newRating").asInt());
            assertEquals(12, completed.get("rating_changes").get(bob.id).get("change").asInt());
        }
    }

    /**
     * The ledger is the cluster's: a proposal settled on relay A moves the ratings relay B shows
     * (its skill search), a relay with a data directory writes the ledger to its ratings.json, and
     * puts it back when Redis restarted empty.
     */
    @Test
    void ratingsSettledOnOneRelayAreTheRatingsOfEveryRelayAndARelaysFileKeepsThem(@TempDir Path dataDir)
            throws Exception {
        try (TestRelay relayC = TestRelay.start(relayConfig("relay-c").dataDir(dataDir).build());
             TestAgent alice = TestAgent.proven(client, relayA.uri(), aliceKey);
             TestAgent bob = TestAgent.proven(client, relayB.uri(), bobKey);
             TestAgent searcher = TestAgent.ephemeral(client, relayB.uri(), "searcher")) {
            String id = proposeAcross(alice, bob);
            bob.send(signed("ACCEPT", id, null, null, bobKey.sign(SignedText.accept(id, null, null))));
            alice.await("ACCEPT");
            alice.send(signed("COMPLETE", id, "proof", "tx:1", aliceKey.sign(SignedText.complete(id, "tx:1"))));
            assertEquals(1212, bob.await("COMPLETE").get("rating_changes").get(bob.id).get("newRating").asInt());

            String skills = "[{\"capability\":\"code_review\",\"rate\":10,\"currency\":\"TEST\"}]";
            bob.send("{\"type\":\"REGISTER_SKILLS\",\"skills\":" + skills + ",\"sig\":\""
                    + bobKey.sign(SignedText.registerSkills(JSON.readTree(skills))) + "\"}");
            bob.await("SKILLS_REGISTERED");
            // Relay B ranks from its snapshot of the ledger, which hears relay A's settlement published.
            await().atMost(Duration.ofSeconds(5)).pollInterval(Duration.ofMillis(50)).untilAsserted(() -> {
                searcher.send("{\"type\":\"SEARCH_SKILLS\",\"query\":{\"capability\":\"code\"}}");
                JsonNode found = searcher.await("SEARCH_RESULTS").get("results").get(0);
                assertEquals(bob.id, found.get("agent_id").asText());
                assertEquals(1212, found.get("rating").asInt(), "relay B reads the ledger relay A settled: " + found);
            });

            relayC.close(); // its store writes the ledger it took at start and at each snapshot
            try (TestRelay again = TestRelay.start(relayConfig("relay-c").dataDir(dataDir).build())) {
                await().atMost(Duration.ofSeconds(5)).ignoreException(NoSuchFileException.class).untilAsserted(() -> {
                    JsonNode file = JSON.readTree(Files.readString(dataDir.resolve("ratings.json")));
                    assertEquals(1212, file.get(alice.id).get("rating").asInt());
                    assertEquals(1, file.get(bob.id).get("transactions").asInt());
                });
            }

            // Redis restarts empty: a relay starting with that file puts the ratings back for every relay.
            redis.restart();
            try (TestRelay again = TestRelay.start(relayConfig("relay-c").dataDir(dataDir).build())) {
                await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(200)).until(() -> {
                    searcher.send("{\"type\":\"SEARCH_SKILLS\",\"query\":{\"capability\":\"code\"}}");
                    return searcher.await("SEARCH_RESULTS").path("results").path(0).path("rating").asInt() == 1212;
                });
            }
        }
    }

    private String registration(Identity key, String skills) throws Exception {
        return "{\"type\":\"REGISTER_SKILLS\",\"skills\":" + skills + ",\"sig\":\""
                + key.sign(SignedText.registerSkills(JSON.readTree(skills))) + "\"}";
    }

    /** Registrations are the cluster's: one made on relay A is found on relay B, and a newer one replaces it there. */
    @Test
    void skillsRegisteredOnOneRelayAreFoundOnTheOther() throws Exception {
        try (TestAgent alice = TestAgent.proven(client, relayA.uri(), aliceKey);
             TestAgent searcher = TestAgent.ephemeral(client, relayB.uri(), "searcher")) {
            alice.send(registration(aliceKey, "[{\"capability\":\"code_review\",\"rate\":10,\"currency\":\"TEST\"}]"));
            alice.await("SKILLS_REGISTERED");
            await().atMost(Duration.ofSeconds(5)).pollInterval(Duration.ofMillis(20)).until(() -> {
                searcher.send("{\"type\":\"SEARCH_SKILLS\",\"query\":{\"capability\":\"review\"}}");
                return searcher.await("SEARCH_RESULTS").get("total").asInt() == 1;
            });
            searcher.send("{\"type\":\"SEARCH_SKILLS\",\"query\":{\"capability\":\"review\"}}");
            JsonNode found = searcher.await("SEARCH_RESULTS").get("results").get(0);
            assertEquals(alice.id, found.get("agent_id").asText());
            assertEquals(10, found.get("rate").asInt());

            alice.send(registration(aliceKey, "[{\"capability\":\"translation\"}]"));
            alice.await("SKILLS_REGISTERED");
            await().atMost(Duration.ofSeconds(5)).pollInterval(Duration.ofMillis(20)).until(() -> {
                searcher.send("{\"type\":\"SEARCH_SKILLS\",\"query\":{\"capability\":\"review\"}}");
                return searcher.await("SEARCH_RESULTS").get("total").asInt() == 0;
            });
            // A relay that starts later reads the registrations Redis keeps.
            try (TestRelay relayC = relay("relay-c");
                 TestAgent late = TestAgent.ephemeral(client, relayC.uri(), "late")) {
                late.send("{\"type\":\"SEARCH_SKILLS\",\"query\":{\"capability\":\"translation\"}}");
                assertEquals(alice.id, late.await("SEARCH_RESULTS").get("results").get(0).get("agent_id").asText());
            }
        }
    }

    /**
     * Every Pub/Sub connection drops and Redis refuses them back (maxclients) while alice registers
     * on relay A: relay B hears nothing live. Once B has subscribed again it reads what Redis keeps,
     * so its search finds the registration. Before, B missed it until alice registered again.
     */
    @Test
    void aRegistrationMadeWhileARelaysSubscriptionWasDownIsFoundOnceItIsBack() throws Exception {
        try (TestAgent alice = TestAgent.proven(client, relayA.uri(), aliceKey);
             TestAgent searcher = TestAgent.ephemeral(client, relayB.uri(), "searcher");
             SubscriptionCut cut = new SubscriptionCut(redis)) {
            cut.cut();
            alice.send(registration(aliceKey, "[{\"capability\":\"offline_review\"}]"));
            alice.await("SKILLS_REGISTERED");
            cut.restore();
            await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(200)).until(() -> {
                searcher.send("{\"type\":\"SEARCH_SKILLS\",\"query\":{\"capability\":\"offline_review\"}}");
                return searcher.await("SEARCH_RESULTS").get("total").asInt() == 1;
            });
        }
    }

    @Test
    void aProposalIsRejectedOrDisputedByItsPartyOnTheOtherRelay() throws Exception {
        try (TestAgent alice = TestAgent.proven(client, relayA.uri(), aliceKey);
             TestAgent bob = TestAgent.proven(client, relayB.uri(), bobKey)) {
            String rejected = proposeAcross(alice, bob);
            bob.send(signed("REJECT", rejected, "reason", "busy", bobKey.sign(SignedText.reject(rejected, "busy"))));
            assertEquals("rejected", alice.await("REJECT").get("status").asText());
            bob.await("REJECT");

            String disputed = proposeAcross(alice, bob);
            bob.send(signed("ACCEPT", disputed, null, null, bobKey.sign(SignedText.accept(disputed, null, null))));
            alice.await("ACCEPT");
            bob.await("ACCEPT");
            bob.send(signed("DISPUTE", disputed, "reason", "late", bobKey.sign(SignedText.dispute(disputed, "late"))));
            JsonNode dispute = alice.await("DISPUTE");
            assertEquals(bob.id, dispute.get("disputed_by").asText(), dispute.toString());
            assertEquals(dispute, bob.await("DISPUTE"));
        }
    }

    @Test
    void aForgedFrameOnTheOtherRelayIsRefusedAndTheUnknownProposalIsNotFound() throws Exception {
        try (TestAgent alice = TestAgent.proven(client, relayA.uri(), aliceKey);
             TestAgent bob = TestAgent.proven(client, relayB.uri(), bobKey)) {
            String id = proposeAcross(alice, bob);
            bob.send(signed("ACCEPT", id, null, null, aliceKey.sign(SignedText.accept(id, null, null))));
            bob.awaitError("INVALID_MSG", "Invalid signature for ACCEPT (not made by the sender's key over this frame)");
            bob.send(signed("ACCEPT", "prop_nothing_here", null, null,
                    bobKey.sign(SignedText.accept("prop_nothing_here", null, null))));
            bob.awaitError("PROPOSAL_NOT_FOUND", "Proposal not found");
            bob.drainUntilPong();
            assertTrue(alice.drainUntilPong().stream().noneMatch(f -> "ACCEPT".equals(f.path("type").asText())));
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
            String requestId = challenge.get("request_id").asText();
            bob.send("{\"type\":\"VERIFY_RESPONSE\",\"request_id\":\"" + requestId
                    + "\",\"nonce\":\"nonce-for-bob-0001\",\"sig\":\"" + bobKey.sign("nonce-for-bob-0001") + "\"}");
            JsonNode success = alice.await("VERIFY_SUCCESS");
            assertEquals(bob.id, success.get("agent").asText());
            assertTrue(bob.await("VERIFY_SUCCESS").get("verified").asBoolean());

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
            alice.send(registration(aliceKey, "[{\"capability\":\"code_review\"}]"));
            alice.awaitError("CLUSTER_UNAVAILABLE", "Skills not registered: the relay cannot reach its cluster; try again later");
            alice.drainUntilPong();
            assertTrue(alice.isOpen());
        }
    }
}
