package io.agentchat.server;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * An address's limits hold over the cluster, not per relay: its connections
 * (--max-connections-per-address; docs/cluster.md, "Connections per address") and its joins and
 * leaves per minute (docs/cluster.md, "Joins and leaves per address"). Before, a client had each
 * limit on every relay.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class ClusterConnectionsTest extends ClusterHarness {

    @Override
    protected ServerConfig.Builder relayConfig(String name) {
        return super.relayConfig(name).maxConnectionsPerIp(2).membershipChangesPerMinutePerAddress(4);
    }

    @Override
    protected Duration relayTtl() {
        return Duration.ofMillis(1500);
    }

    @Test
    void anAddressHasItsLimitOnceForTheWholeCluster() throws Exception {
        try (TestAgent a = TestAgent.ephemeral(client, relayA.uri(), "a");
             TestAgent b = TestAgent.ephemeral(client, relayB.uri(), "b")) {
            try (TestAgent third = TestAgent.connect(client, relayA.uri())) {
                assertTrue(third.awaitClose());
                assertEquals(1013, third.closeCode(), "the address's two connections are open, one on each relay");
            }
            assertTrue(a.isOpen() && b.isOpen());
        }
        // Closed connections no longer count: the release reaches Redis without waiting, so poll.
        await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(100)).until(() -> {
            try (TestAgent one = TestAgent.connect(client, relayB.uri()); TestAgent two = TestAgent.connect(client, relayB.uri())) {
                one.send("{\"type\":\"PING\"}");
                two.send("{\"type\":\"PING\"}");
                return "PONG".equals(one.next().path("type").asText()) && "PONG".equals(two.next().path("type").asText());
            }
        });
    }

    /** A relay that stops holding connections: they no longer count, whether or not their closes reached Redis. */
    @Test
    void aStoppedRelaysConnectionsStopCounting() throws Exception {
        TestAgent a1 = TestAgent.ephemeral(client, relayA.uri(), "a1");
        TestAgent a2 = TestAgent.ephemeral(client, relayA.uri(), "a2");
        relayA.close();
        assertTrue(a1.awaitClose() && a2.awaitClose());
        try (TestAgent b1 = TestAgent.ephemeral(client, relayB.uri(), "b1");
             TestAgent b2 = TestAgent.ephemeral(client, relayB.uri(), "b2")) {
            assertTrue(b1.isOpen() && b2.isOpen());
        }
    }

    /**
     * Four changes spent on relay A: relay B, which reads the address's count over the cluster before
     * its first JOIN there this minute, refuses that JOIN. Alone, B would have let two join-leave
     * cycles through.
     */
    @Test
    void anAddressHasOneJoinAndLeaveBudgetForTheWholeCluster() throws Exception {
        // The budget is counted per minute: start well inside one.
        // (The window it waits out is up to 15 s long: the bound leaves room for that.)
        await().atMost(Duration.ofSeconds(25)).pollInterval(Duration.ofMillis(200))
                .until(() -> java.time.Instant.now().getEpochSecond() % 60 < 45);
        String counter = "agentchat:minute:" + System.currentTimeMillis() / 60_000 + ":joins:127.0.0.1";
        try (TestAgent a = TestAgent.ephemeral(client, relayA.uri(), "a");
             TestAgent b = TestAgent.ephemeral(client, relayB.uri(), "b")) {
            for (int i = 0; i < 2; i++) {
                a.send("{\"type\":\"JOIN\",\"channel\":\"#general\"}");
                a.await("JOINED");
                a.send("{\"type\":\"LEAVE\",\"channel\":\"#general\"}");
                a.await("LEFT");
            }
            // A counts without waiting for Redis: the four are there once Redis has run them.
            await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(50))
                    .until(() -> redis.ask("INCRBY " + counter + " 0").equals(":4")); // an integer reply: the count
            b.send("{\"type\":\"JOIN\",\"channel\":\"#general\"}");
            b.awaitError("RATE_LIMITED", "Rate limit exceeded (too many joins and leaves)");
        }
    }
}
