package io.agentchat.bench;

import io.agentchat.server.AgentChatServer;
import io.agentchat.server.ServerConfig;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

/** The relay under load: its URL, the embedded server if we started one, and a probe for its resources. */
final class Target implements AutoCloseable {
    private final URI uri;
    private final AutoCloseable embedded;
    private final ServerProbe probe;
    private final String description;

    private Target(URI uri, AutoCloseable embedded, ServerProbe probe, String description) {
        this.uri = uri;
        this.embedded = embedded;
        this.probe = probe;
        this.description = description;
    }

    static Target embedded(int maxOutgoingBytes) throws Exception {
        AgentChatServer server = new AgentChatServer(benchConfig(0, "127.0.0.1", maxOutgoingBytes)).start();
        return new Target(server.uri(), server, ServerProbe.inProcess("agentchat-"),
                "ours: embedded agentchat-java relay (same JVM as the load generator)");
    }

    static Target stub() throws Exception {
        StubRelay stub = StubRelay.start("127.0.0.1", 0);
        return new Target(stub.uri(), stub, ServerProbe.inProcess(StubRelay.THREAD_NAME),
                "stub: embedded NIO stub relay (same JVM as the load generator)");
    }

    static Target remote(URI uri, Long pid) {
        ServerProbe probe = pid == null ? ServerProbe.none() : ServerProbe.process(pid);
        return new Target(uri, null, probe, uri + (pid == null ? "" : " (pid " + pid + ")"));
    }

    /**
     * Our relay with every limit a benchmark would trip over turned off or raised: no rate limits
     * (MSG rate, frame budget, membership changes), 20,000 connections per IP, 20,000 members per channel. The
     * slow-consumer bound stays, since it is part of what is measured.
     */
    static ServerConfig benchConfig(int port, String host, int maxOutgoingBytes) throws Exception {
        Path dataDir = Files.createTempDirectory("agentchat-bench-data");
        dataDir.toFile().deleteOnExit();
        return ServerConfig.builder().host(host).port(port)
                .noRateLimits()
                .maxConnectionsPerIp(20_000).maxMembersPerChannel(20_000)
                .maxOutgoingBytes(maxOutgoingBytes)
                .identifyTimeout(Duration.ofMinutes(10))
                .dataDir(dataDir).build();
    }

    URI uri() {
        return uri;
    }

    boolean isEmbedded() {
        return embedded != null;
    }

    ServerProbe probe() {
        return probe;
    }

    String description() {
        return description;
    }

    @Override
    public void close() throws Exception {
        if (embedded != null) {
            embedded.close();
        }
    }
}
