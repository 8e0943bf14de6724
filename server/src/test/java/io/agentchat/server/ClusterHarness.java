package io.agentchat.server;

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
        return TestRelay.defaults().name(name).cluster(redis.uri());
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
