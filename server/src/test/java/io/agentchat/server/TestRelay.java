package io.agentchat.server;

import java.net.URI;
import java.time.Duration;

/**
 * A real relay on an ephemeral loopback port with the test defaults (no rate limit, no data
 * directory), for any module's tests: {@code try (TestRelay relay = TestRelay.start()) ...} or
 * start in {@code @BeforeEach} and {@link #close()} in {@code @AfterEach}. Closing twice is fine,
 * so a test may stop the relay midway to see how clients take it.
 */
public final class TestRelay implements AutoCloseable {
    private final AgentChatServer server;

    private TestRelay(AgentChatServer server) {
        this.server = server;
    }

    /** The test defaults, to change before {@link #start(ServerConfig)}. */
    public static ServerConfig.Builder defaults() {
        return ServerConfig.builder().host("127.0.0.1").port(0).rateLimit(Duration.ZERO).dataDir(null);
    }

    public static TestRelay start() throws Exception {
        return start(defaults().build());
    }

    public static TestRelay start(ServerConfig config) throws Exception {
        return new TestRelay(new AgentChatServer(config).start());
    }

    public AgentChatServer server() {
        return server;
    }

    public URI uri() {
        return server.uri();
    }

    /** {@link #uri()} as the CLI takes it, e.g. {@code ws://127.0.0.1:40123}. */
    public String url() {
        return server.uri().toString();
    }

    public int port() {
        return server.port();
    }

    @Override
    public void close() {
        server.close();
    }
}
