package io.agentchat.server;

import java.net.URI;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;

/**
 * A cluster relay in a JVM of its own, for tests that must kill one with SIGKILL: {@code java -cp
 * <test class path> io.agentchat.server.ClusterRelayMain <redis-uri> <relay-ttl> <name>}. Prints
 * {@code port <n>} once it serves, then runs until killed.
 */
public final class ClusterRelayMain {
    private ClusterRelayMain() {
    }

    public static void main(String[] args) throws Exception {
        AgentChatServer server = new AgentChatServer(TestRelay.defaults().name(args[2]).cluster(URI.create(args[0]))
                .clusterRelayTtl(Duration.parse(args[1])).build()).start();
        System.out.println("port " + server.port());
        System.out.flush();
        new CountDownLatch(1).await();
    }
}
