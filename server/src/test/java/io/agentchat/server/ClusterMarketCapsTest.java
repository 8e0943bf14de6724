package io.agentchat.server;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.agentchat.identity.Identity;
import io.agentchat.identity.SignedText;
import io.agentchat.server.market.MarketConfig;
import java.time.Clock;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The pending-proposal caps hold for the whole cluster (docs/cluster.md, "Marketplace"): an agent
 * that filled its share on relay A and comes back on relay B with the same key is refused there as
 * on one relay, and a slot comes back once one of its proposals is rejected or expires. Before,
 * each relay counted only the proposals it keeps, so the caps multiplied by the number of relays.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class ClusterMarketCapsTest extends ClusterHarness {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final int PER_PROPOSER = 3;
    private final Identity aliceKey = Identity.generate("alice", Clock.systemUTC());
    private final Identity bobKey = Identity.generate("bob", Clock.systemUTC());
    private int proposals;

    @Override
    protected ServerConfig.Builder relayConfig(String name) {
        return super.relayConfig(name).market(MarketConfig.defaults().withProposalLimits(PER_PROPOSER, 5, 20, 50_000));
    }

    /** Alice's signed proposal, pending for {@code expires} seconds; each names another task (a signature is used once). */
    private String proposal(String to, int expires) {
        return SignedMarketFrames.proposal(aliceKey, to, "Review PR #" + ++proposals, expires);
    }

    /** Alice, on relay A, makes as many proposals to bob as the per-proposer cap allows; their ids. */
    private String[] fillOnRelayA(TestAgent alice, TestAgent bob, int expires) throws Exception {
        String[] ids = new String[PER_PROPOSER];
        for (int i = 0; i < PER_PROPOSER; i++) {
            alice.send(proposal(bob.id, expires));
            ids[i] = alice.await("PROPOSAL").get("id").asText();
            bob.await("PROPOSAL");
        }
        alice.send(proposal(bob.id, expires));
        alice.awaitError("INVALID_MSG", "Too many pending proposals (max " + PER_PROPOSER + ")");
        return ids;
    }

    /** Alice's connection on relay A closes, and she comes back with the same key on relay B. */
    private TestAgent moveToRelayB(TestAgent alice) throws Exception {
        alice.close();
        alice.awaitClose();
        return TestAgent.proven(client, relayB.uri(), aliceKey);
    }

    @Test
    void theProposerCapCountsTheProposalsKeptOnEveryRelayAndARejectGivesASlotBack() throws Exception {
        try (TestAgent bob = TestAgent.proven(client, relayB.uri(), bobKey)) {
            TestAgent onA = TestAgent.proven(client, relayA.uri(), aliceKey);
            String[] ids = fillOnRelayA(onA, bob, 300);
            try (TestAgent alice = moveToRelayB(onA)) {
                alice.send(proposal(bob.id, 300));
                alice.awaitError("INVALID_MSG", "Too many pending proposals (max " + PER_PROPOSER + ")");

                // Bob's REJECT, on relay B, is handled by relay A, the proposal's home, which gives the slot back.
                bob.send("{\"type\":\"REJECT\",\"proposal_id\":\"" + ids[0] + "\",\"reason\":\"busy\",\"sig\":\""
                        + bobKey.sign(SignedText.reject(ids[0], "busy")) + "\"}");
                bob.await("REJECT");
                alice.send(proposal(bob.id, 300));
                assertEquals(bob.id, alice.await("PROPOSAL").get("to").asText());
                alice.send(proposal(bob.id, 300));
                alice.awaitError("INVALID_MSG", "Too many pending proposals (max " + PER_PROPOSER + ")");
            }
        }
    }

    @Test
    void aProposalThatExpiresGivesItsSlotBack() throws Exception {
        try (TestAgent bob = TestAgent.proven(client, relayB.uri(), bobKey)) {
            TestAgent onA = TestAgent.proven(client, relayA.uri(), aliceKey);
            fillOnRelayA(onA, bob, 2);
            try (TestAgent alice = moveToRelayB(onA)) {
                alice.send(proposal(bob.id, 300));
                alice.awaitError("INVALID_MSG", "Too many pending proposals (max " + PER_PROPOSER + ")");
                // Relay A's proposals lapse after 2 s; then relay B admits alice's next one.
                await().atMost(Duration.ofSeconds(15)).pollInterval(Duration.ofMillis(250)).until(() -> {
                    alice.send(proposal(bob.id, 300));
                    JsonNode answer = alice.next(); // her PROPOSAL, or the refusal
                    return "PROPOSAL".equals(answer.path("type").asText());
                });
            }
        }
    }

    /** Redis away: a PROPOSAL, even to an agent of the same relay, is refused rather than made uncounted. */
    @Test
    void whileRedisIsAwayAProposalIsClusterUnavailable() throws Exception {
        try (TestAgent alice = TestAgent.proven(client, relayA.uri(), aliceKey);
             TestAgent bob = TestAgent.proven(client, relayA.uri(), bobKey)) {
            redis.kill();
            alice.send(proposal(bob.id, 300));
            alice.awaitError("CLUSTER_UNAVAILABLE", "Proposal not made: the relay cannot reach its cluster; try again later");
            alice.drainUntilPong();
        }
    }

    /**
     * Redis restarts empty: relay A writes back the slots its proposals hold (every 30 s), and then
     * relay B refuses alice again; in between it admits (errs on admitting, never refuses wrongly).
     * B's probes are already expired when made ({@code expires} -1), so B gives their slots back
     * within a second and only relay A's write-back can make B refuse.
     */
    @Test
    void afterRedisRestartsEmptyTheHomeWritesItsSlotsBack() throws Exception {
        try (TestAgent bob = TestAgent.proven(client, relayB.uri(), bobKey)) {
            TestAgent onA = TestAgent.proven(client, relayA.uri(), aliceKey);
            fillOnRelayA(onA, bob, 300);
            onA.close();
            onA.awaitClose();
            redis.restart();
            await().atMost(Duration.ofSeconds(45)).pollInterval(Duration.ofSeconds(2)).until(() -> {
                try (TestAgent alice = TestAgent.proven(client, relayB.uri(), aliceKey)) {
                    alice.send(proposal(bob.id, -1));
                    JsonNode answer = alice.next();
                    return "Too many pending proposals (max 3)".equals(answer.path("message").asText());
                }
            });
        }
    }

    /** The per-requester cap on pending verification requests counts the requests of every relay. */
    @Test
    void theVerificationCapCountsTheRequestsPendingOnEveryRelay() throws Exception {
        try (TestAgent bob = TestAgent.proven(client, relayB.uri(), bobKey)) {
            TestAgent onA = TestAgent.proven(client, relayA.uri(), aliceKey);
            for (int i = 0; i < 5; i++) { // MarketConfig's default: 5 per requester
                onA.send("{\"type\":\"VERIFY_REQUEST\",\"target\":\"" + bob.id + "\",\"nonce\":\"nonce-for-bob-000" + i + "\"}");
                onA.await("VERIFY_REQUEST");
            }
            try (TestAgent alice = moveToRelayB(onA)) {
                alice.send("{\"type\":\"VERIFY_REQUEST\",\"target\":\"" + bob.id + "\",\"nonce\":\"nonce-for-bob-0006\"}");
                alice.awaitError("INVALID_MSG", "Too many pending verification requests (max 5)");
            }
        }
    }
}
