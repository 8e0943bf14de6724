package io.agentchat.bench;

import io.agentchat.server.AgentChatServer;
import io.agentchat.server.ServerConfig;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/**
 * The relay under load: its URL (or the URLs of a cluster's relays, which agents connect to in
 * turn), the embedded server if we started one, and a probe for its resources.
 */
final class Target implements AutoCloseable {
    private final List<URI> uris;
    private final AutoCloseable embedded;
    private final ServerProbe probe;
    private final String description;

    private Target(List<URI> uris, AutoCloseable embedded, ServerProbe probe, String description) {
        this.uris = List.copyOf(uris);
        this.embedded = embedded;
        this.probe = probe;
        this.description = description;
    }

    static Target embedded(int maxOutgoingBytes) throws Exception {
        AgentChatServer server = new AgentChatServer(benchConfig(0, "127.0.0.1", maxOutgoingBytes)).start();
        return new Target(List.of(server.uri()), server, ServerProbe.inProcess("agentchat-"),
                "ours: embedded agentchat-java relay (same JVM as the load generator)");
    }

    static Target stub() throws Exception {
        StubRelay stub = StubRelay.start("127.0.0.1", 0);
        return new Target(List.of(stub.uri()), stub, ServerProbe.inProcess(StubRelay.THREAD_NAME),
                "stub: embedded NIO stub relay (same JVM as the load generator)");
    }

    /** Running relays: one, or a cluster's several with the agents spread over them; pids may be empty. */
    static Target remote(List<URI> uris, List<Long> pids) {
        ServerProbe probe = pids.isEmpty() ? ServerProbe.none()
                : ServerProbe.sum(pids.stream().map(ServerProbe::process).toList());
        String where = uris.size() == 1 ? uris.get(0).toString()
                : uris.size() + " relays, agents spread over them in turn: " + uris;
        return new Target(uris, null, probe, where + (pids.isEmpty() ? "" : " (pid " + pids + ")"));
    }

    /**
     * Our relay with every limit a benchmark would trip over turned off or raised: no rate limits
     * (MSG rate, frame budget, membership changes), 20,000 connections per IP, 20,000 members per channel. The
     * slow-consumer bound stays, since it is part of what is measured.
     */
    static ServerConfig benchConfig(int port, String host, int maxOutgoingBytes) throws Exception {
        return benchConfigBuilder(port, host, maxOutgoingBytes).build();
    }

    /** {@link #benchConfig}, still open to changes (a test's cluster relays add their Redis). */
    static ServerConfig.Builder benchConfigBuilder(int port, String host, int maxOutgoingBytes) throws Exception {
        Path dataDir = Files.createTempDirectory("agentchat-bench-data");
        dataDir.toFile().deleteOnExit();
        return ServerConfig.builder().host(host).port(port)
                .noRateLimits()
                .maxConnectionsPerIp(20_000).maxMembersPerChannel(20_000)
                .maxOutgoingBytes(maxOutgoingBytes)
                .identifyTimeout(Duration.ofMinutes(10))
                .dataDir(dataDir);
    }

    /** The first (or only) relay. */
    URI uri() {
        return uris.get(0);
    }

    /** Every relay of the target, in the order agents are spread over them. */
    List<URI> uris() {
        return uris;
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
