package io.agentchat.server;

import java.net.URI;
import java.time.Duration;
import java.util.Objects;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * A real relay on an ephemeral loopback port with the test defaults (no rate limit, no data
 * directory), for any module's tests. One per test: {@code @RegisterExtension final TestRelay relay
 * = new TestRelay();} starts it before each test and closes it after; or by hand,
 * {@code try (TestRelay relay = TestRelay.start()) ...}. Closing twice is fine, so a test may stop
 * the relay midway to see how clients take it.
 */
public final class TestRelay implements AutoCloseable, BeforeEachCallback, AfterEachCallback {
    private final ServerConfig config;
    private AgentChatServer server;

    /** A relay with the {@link #defaults()}, started by the extension callbacks or {@link #open()}. */
    public TestRelay() {
        this(defaults().build());
    }

    public TestRelay(ServerConfig config) {
        this.config = Objects.requireNonNull(config, "config");
    }

    /** The test defaults, to change before {@link #start(ServerConfig)}. */
    public static ServerConfig.Builder defaults() {
        return ServerConfig.builder().host("127.0.0.1").port(0).rateLimit(Duration.ZERO).dataDir(null);
    }

    public static TestRelay start() throws Exception {
        return start(defaults().build());
    }

    public static TestRelay start(ServerConfig config) throws Exception {
        return new TestRelay(config).open();
    }

    /** Starts the server; returns this. */
    public TestRelay open() throws Exception {
        server = new AgentChatServer(config).start();
        return this;
    }

    @Override
    public void beforeEach(ExtensionContext context) throws Exception {
        open();
    }

    @Override
    public void afterEach(ExtensionContext context) {
        close();
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
        if (server != null) {
            server.close();
        }
    }
}
