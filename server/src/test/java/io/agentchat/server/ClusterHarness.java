package io.agentchat.server;

import java.time.Duration;
import org.eclipse.jetty.websocket.client.WebSocketClient;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;

/**
 * Two relays of one cluster over a real redis-server started for each test (docs/cluster.md), and
 * one WebSocket client to reach either. No mock of Redis.
 */
abstract class ClusterHarness {
    protected RedisProcess redis;
    protected TestRelay relayA;
    protected TestRelay relayB;
    protected WebSocketClient client;

    @BeforeEach
    void startCluster() throws Exception {
        redis = RedisProcess.start();
        relayA = TestRelay.start(relayConfig("relay-a").build());
        relayB = TestRelay.start(relayConfig("relay-b").build());
        client = new WebSocketClient();
        client.start();
    }

    /** Each relay's settings: the test defaults in the cluster; a test class may change them. */
    protected ServerConfig.Builder relayConfig(String name) {
        return TestRelay.defaults().name(name).cluster(redis.uri()).clusterRelayTtl(relayTtl());
    }

    @AfterEach
    void stopCluster() throws Exception {
        if (client != null) {
            client.stop();
        }
        if (relayA != null) {
            relayA.close();
        }
        if (relayB != null) {
            relayB.close();
        }
        if (redis != null) {
            redis.close();
        }
    }

    /** How long the relays' heartbeats live: shorter in the tests that wait for a relay to be taken for dead. */
    protected Duration relayTtl() {
        return ServerConfig.DEFAULT_CLUSTER_RELAY_TTL;
    }

    /** Another relay of the cluster, started; the caller closes it. */
    protected TestRelay relay(String name) throws Exception {
        return TestRelay.start(relayConfig(name).build());
    }

    /** An ephemeral agent on {@code relay}, in #general, with the join's answer read. */
    protected TestAgent joined(TestRelay relay, String name) throws Exception {
        TestAgent agent = TestAgent.ephemeral(client, relay.uri(), name);
        agent.send("{\"type\":\"JOIN\",\"channel\":\"#general\"}");
        agent.await("JOINED");
        agent.drainUntilPong();
        return agent;
    }

    protected static String msg(String content) {
        return msg("#general", content);
    }

    protected static String msg(String channel, String content) {
        return "{\"type\":\"MSG\",\"to\":\"" + channel + "\",\"content\":\"" + content + "\"}";
    }
}
