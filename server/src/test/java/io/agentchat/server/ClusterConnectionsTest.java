package io.agentchat.server;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The connections per address (--max-connections-per-address) are counted over the cluster: before, a
 * client could open the limit on every relay (docs/cluster.md, "Connections per address").
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class ClusterConnectionsTest extends ClusterHarness {

    @Override
    protected ServerConfig.Builder relayConfig(String name) {
        return super.relayConfig(name).maxConnectionsPerIp(2);
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
}
