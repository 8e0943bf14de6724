package io.agentchat.server;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.agentchat.identity.Identity;
import io.agentchat.server.cluster.AgentDirectory;
import io.agentchat.server.cluster.RedisCluster;
import io.agentchat.server.core.RecoveryConfig;
import java.time.Clock;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Attack (docs/cluster.md, "DMs and identity"): a key whose id equals an ephemeral agent's id on
 * another relay proves itself. On one relay the ephemeral holder keeps its id (docs/protocol.md
 * §3.3); in the cluster it must too, or DMs to the id reach the attacker's relay as well.
 *
 * <p>The key's id is 8 hex characters of its hash and the ephemeral id a CSPRNG's draw, so a real
 * collision takes grinding about 2^32 keys: the test cannot make one. What it can do is what the
 * attacker's relay does once a key with that id answered its challenge: {@code IdentityGate} derives
 * the id from the key and hands both to its cluster's {@link AgentDirectory} ({@code present}, then
 * {@code claim}). So "relay C" here is a real {@link RedisCluster} connected to the test's Redis,
 * asked through that interface to claim the ephemeral agent's id for a key of its own.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class ClusterEphemeralIdAttackTest extends ClusterHarness {
    private final Identity attacker = Identity.generate("mallory", Clock.systemUTC());

    @Test
    void aKeyIsRefusedTheIdOfAnEphemeralAgentOnAnotherRelay() throws Exception {
        try (RedisCluster relayC = RedisCluster.connect(redis.uri(), RecoveryConfig.defaults(), relayTtl());
             TestAgent victim = TestAgent.ephemeral(client, relayA.uri(), "victim")) {
            String id = victim.id.substring(1);
            AgentDirectory directory = relayC.directory();
            directory.present(id);
            AgentDirectory.Claim claim = directory.claim(id, attacker.pubkey());
            assertFalse(claim.granted(), "the ephemeral agent on relay A holds " + victim.id + ": " + claim);
        }
    }

    @Test
    void theIdIsFreeOnceTheEphemeralAgentIsGone() throws Exception {
        try (RedisCluster relayC = RedisCluster.connect(redis.uri(), RecoveryConfig.defaults(), relayTtl())) {
            TestAgent victim = TestAgent.ephemeral(client, relayA.uri(), "victim");
            String id = victim.id.substring(1);
            String owner = "EXISTS agentchat:{@" + id + "}:owner";
            assertEquals(":1", redis.ask(owner), "recorded before the agent is welcomed");
            victim.close();
            assertTrue(victim.awaitClose());
            await().atMost(Duration.ofSeconds(5)).pollInterval(Duration.ofMillis(20)).until(() -> ":0".equals(redis.ask(owner)));
            relayC.directory().present(id);
            assertTrue(relayC.directory().claim(id, attacker.pubkey()).granted());
        }
    }

    @Test
    void theEphemeralAgentKeepsItsIdAfterRedisRestartedEmpty() throws Exception {
        try (TestAgent victim = TestAgent.ephemeral(client, relayA.uri(), "victim");
             TestAgent sender = TestAgent.ephemeral(client, relayB.uri(), "sender")) {
            String id = victim.id.substring(1);
            redis.restart();
            // Its subscription too, which Lettuce renews on its own: a DM from relay B reaches it.
            int[] tries = {0};
            await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(200)).until(() -> {
                sender.send(HeldDms.dm(victim.id, "after-" + tries[0]++));
                return victim.takeReceived().stream().anyMatch(f -> f.path("content").asText().startsWith("after-"));
            });
            // Relay A writes the record back once its command connection is back.
            await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(100))
                    .until(() -> ":1".equals(redis.ask("EXISTS agentchat:{@" + id + "}:owner")));
            try (RedisCluster relayC = RedisCluster.connect(redis.uri(), RecoveryConfig.defaults(), relayTtl())) {
                relayC.directory().present(id);
                assertFalse(relayC.directory().claim(id, attacker.pubkey()).granted());
            }
        }
    }
}
