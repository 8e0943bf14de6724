package io.agentchat.server;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.agentchat.identity.Identity;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Attack (hostile review of the answer-order change): a forward whose Redis round trip times out
 * (Redis stalled past the 5 s command timeout: CLIENT PAUSE here) is answered CLUSTER_UNAVAILABLE,
 * "try again later", and its ticket is dropped at once. But Redis runs the forward script once it
 * wakes: the home relay carries the ACCEPT out (the proposer is told) and sends the party's answer
 * back, which the party's relay now throws away (no ticket). The party was told its ACCEPT failed,
 * it did not, and it never hears otherwise (before the change, the home's ACCEPT reached it by id).
 */
@Timeout(value = 90, unit = TimeUnit.SECONDS)
class ClusterForwardTimeoutAttackTest extends ClusterHarness {
    private final Identity aliceKey = Identity.generate("alice", Clock.systemUTC());
    private final Identity bobKey = Identity.generate("bob", Clock.systemUTC());

    @Test
    void anAcceptCarriedOutAfterItsForwardTimedOutIsToldToTheParty() throws Exception {
        try (TestAgent alice = TestAgent.proven(client, relayB.uri(), aliceKey);
             TestAgent bob = TestAgent.proven(client, relayA.uri(), bobKey)) {
            alice.send(SignedMarketFrames.proposal(aliceKey, bob.id, "Review PR #1", 300));
            String id = alice.await("PROPOSAL").get("id").asText();
            assertEquals(id, bob.await("PROPOSAL").get("id").asText());
            bob.drainUntilPong();

            assertEquals("+OK", redis.ask("CLIENT PAUSE 7000 ALL")); // Redis stalls 7 s, then runs what waited
            bob.send(accept(id));
            List<JsonNode> seen = new ArrayList<>();
            await().atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(50)).until(() -> {
                seen.addAll(bob.takeReceived());
                return seen.stream().anyMatch(f -> "ERROR".equals(f.path("type").asText()));
            });
            JsonNode refused = seen.stream().filter(f -> "ERROR".equals(f.path("type").asText())).findFirst().orElseThrow();
            assertEquals("CLUSTER_UNAVAILABLE", refused.get("code").asText(), refused.toString());

            // Redis wakes and runs the forward: the home relay accepts, and the proposer is told.
            JsonNode told = await().atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(50))
                    .until(() -> alice.takeReceived().stream().filter(f -> "ACCEPT".equals(f.path("type").asText()))
                            .findFirst().orElse(null), f -> f != null);
            assertEquals("accepted", told.get("status").asText());

            // The home answers forwarded frames in order: once the second ACCEPT's answer is here, the first's was sent.
            bob.send(accept(id));
            await().atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(50)).until(() -> {
                seen.addAll(bob.takeReceived());
                return seen.stream().anyMatch(f -> "PROPOSAL_NOT_PENDING".equals(f.path("message").asText()));
            });
            assertTrue(seen.stream().anyMatch(f -> "ACCEPT".equals(f.path("type").asText())),
                    "bob was told CLUSTER_UNAVAILABLE, his ACCEPT was carried out all the same, and its answer never reached him: "
                            + seen);
        }
    }

    private String accept(String id) {
        return SignedMarketFrames.accept(bobKey, id);
    }
}
