package io.agentchat.server;

import java.net.URI;
import org.eclipse.jetty.websocket.client.WebSocketClient;
import org.junit.jupiter.api.AfterEach;

/**
 * Starts a real server on an ephemeral loopback port ({@link TestRelay#defaults()}) and one WebSocket
 * client per test. Other modules' tests use {@link TestRelay} and {@link TestAgent} directly.
 */
abstract class ServerHarness {
    protected AgentChatServer server;
    protected WebSocketClient client;
    protected URI uri;

    protected ServerConfig.Builder config() {
        return TestRelay.defaults();
    }

    protected void start(ServerConfig config) throws Exception {
        server = new AgentChatServer(config).start();
        uri = server.uri();
        client = new WebSocketClient();
        client.start();
    }

    protected void start() throws Exception {
        start(config().build());
    }

    protected TestAgent ephemeral(String name) throws Exception {
        return TestAgent.ephemeral(client, uri, name);
    }

    protected TestAgent joined(String name, String channel) throws Exception {
        TestAgent agent = ephemeral(name);
        agent.send("{\"type\":\"JOIN\",\"channel\":\"" + channel + "\"}");
        agent.await("JOINED");
        agent.drainUntilPong();
        return agent;
    }

    @AfterEach
    void stopAll() throws Exception {
        if (client != null) {
            client.stop();
        }
        if (server != null) {
            server.close();
        }
    }
}
