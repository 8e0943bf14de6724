package io.agentchat.client;

import io.agentchat.identity.Identity;
import io.agentchat.protocol.FrameCodec;
import java.io.IOException;
import java.net.ConnectException;
import java.net.NoRouteToHostException;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.net.UnknownHostException;
import java.nio.channels.UnresolvedAddressException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import javax.net.ssl.SSLException;
import org.eclipse.jetty.client.HttpClient;
import org.eclipse.jetty.util.thread.QueuedThreadPool;
import org.eclipse.jetty.util.thread.ScheduledExecutorScheduler;
import org.eclipse.jetty.websocket.api.Session;
import org.eclipse.jetty.websocket.api.exceptions.UpgradeException;
import org.eclipse.jetty.websocket.client.WebSocketClient;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The entry point of the client library: owns the one Jetty {@link WebSocketClient} (and its
 * threads) that a process needs, and makes {@link Connection}s with it. Close it last; closing it
 * closes every connection it made.
 *
 * <pre>{@code
 * try (AgentChatClient client = new AgentChatClient();
 *      Connection c = client.connect(ServerUrl.parse("ws://localhost:6667"), "alice", null, listener)) {
 *     c.join("#general");
 *     c.send("#general", "hello");
 * }
 * }</pre>
 */
public final class AgentChatClient implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(AgentChatClient.class);
    /**
     * Jetty sizes some padding by asking the platform MBean server whether oops are compressed,
     * which starts JMX (~60 ms and ~150 classes) in every process that makes a client. Compressed
     * oops are the default below a 32 GiB heap; the value only affects padding, never behaviour.
     */
    private static final String JETTY_REFERENCES_PER_CACHE_LINE = "org.eclipse.jetty.util.referencesPerCacheLine";

    static {
        if (System.getProperty(JETTY_REFERENCES_PER_CACHE_LINE) == null) {
            boolean compressedOops = Runtime.getRuntime().maxMemory() < 32L * 1024 * 1024 * 1024;
            System.setProperty(JETTY_REFERENCES_PER_CACHE_LINE, compressedOops ? "16" : "8");
        }
    }

    private final ClientOptions options;
    private final FrameCodec codec = new FrameCodec();
    private final WebSocketClient jetty;
    private final ScheduledExecutorService timer;
    private final AtomicInteger connectionCount = new AtomicInteger();
    private final Set<Connection> connections = ConcurrentHashMap.newKeySet();

    public AgentChatClient() {
        this(ClientOptions.defaults());
    }

    /** Starts the WebSocket client and its threads. */
    public AgentChatClient(ClientOptions options) {
        this.options = options;
        QueuedThreadPool pool = new QueuedThreadPool(16, 2);
        pool.setName("agentchat-client");
        pool.setDaemon(true);
        HttpClient http = new HttpClient();
        http.setExecutor(pool);
        http.setScheduler(new ScheduledExecutorScheduler("agentchat-client-scheduler", true));
        http.setConnectTimeout(options.connectTimeout().toMillis());
        http.setSslContextFactory(new LazyTlsContextFactory());
        jetty = new WebSocketClient(http);
        jetty.setStopAtShutdown(false);
        jetty.setMaxTextMessageSize(options.maxFrameBytes());
        jetty.setMaxBinaryMessageSize(options.maxFrameBytes());
        jetty.setMaxOutgoingFrames(options.maxOutgoingFrames());
        jetty.setIdleTimeout(options.keepAlive().isZero() ? Duration.ofDays(1) : options.keepAlive().multipliedBy(3));
        jetty.setStopTimeout(2000);
        AtomicInteger timerThreads = new AtomicInteger();
        ScheduledThreadPoolExecutor timerPool = new ScheduledThreadPoolExecutor(1, r -> {
            Thread t = new Thread(r, "agentchat-client-keepalive-" + timerThreads.incrementAndGet());
            t.setDaemon(true);
            return t;
        });
        // Every request schedules its timeout, and nearly all are cancelled by the reply: drop them then.
        timerPool.setRemoveOnCancelPolicy(true);
        timer = timerPool;
        try {
            jetty.start();
        } catch (Exception e) {
            timer.shutdownNow();
            throw new ClientException(ClientException.Reason.IO, "Cannot start the WebSocket client: " + e, e);
        }
    }

    public ClientOptions options() {
        return options;
    }

    /** {@link #connect(URI, String, Identity, FrameListener)} without a listener. */
    public Connection connect(URI uri, String name, Identity identity) {
        return connect(uri, name, identity, FrameListener.NONE);
    }

    /**
     * Opens a WebSocket to {@code uri}, sends IDENTIFY, answers the server's identity challenge if
     * there is one, and waits for WELCOME; all of it within {@link ClientOptions#connectTimeout()}.
     *
     * @param name     the agent name; ignored when {@code identity} is given (its name is used)
     * @param identity the persistent identity, or null for an ephemeral agent
     * @param listener receives every frame from WELCOME on; it is in place before any request
     * @throws ServerErrorException if the server refuses the IDENTIFY (e.g. {@code Invalid agent name})
     * @throws ClientException      for an unreachable server, a timeout or a failed handshake
     */
    public Connection connect(URI uri, String name, Identity identity, FrameListener listener) {
        long deadline = System.nanoTime() + options.connectTimeout().toNanos();
        Connection connection = new Connection(uri, name, identity, options, codec, listener,
                "agentchat-client-dispatch-" + connectionCount.incrementAndGet(), timer);
        CompletableFuture<Session> opening;
        try {
            opening = jetty.connect(new ClientEndpoint(connection), uri);
        } catch (IOException | RuntimeException e) {
            connection.abort("connect failed");
            throw connectFailure(uri, e);
        }
        try {
            opening.get(remainingMillis(deadline), TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            opening.cancel(true);
            connection.abort("connect timed out");
            throw new ClientException(ClientException.Reason.TIMEOUT,
                    "Timed out after " + options.connectTimeout().toSeconds() + " s connecting to " + uri);
        } catch (ExecutionException e) {
            connection.abort("connect failed");
            throw connectFailure(uri, e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            connection.abort("interrupted");
            throw new ClientException(ClientException.Reason.IO, "Interrupted connecting to " + uri, e);
        }
        try {
            connection.identify(Duration.ofMillis(remainingMillis(deadline)));
        } catch (RuntimeException e) {
            connection.abort("handshake failed");
            throw e;
        }
        connections.add(connection);
        connection.closed().whenComplete((status, error) -> connections.remove(connection));
        connection.startKeepAlive();
        LOG.debug("connected to {} as {}", uri, connection.agentId());
        return connection;
    }

    /** Closes every open connection, then stops the WebSocket client and its threads. Idempotent. */
    @Override
    public void close() {
        for (Connection connection : new ArrayList<>(connections)) {
            connection.close();
        }
        try {
            jetty.stop();
        } catch (Exception e) {
            LOG.debug("stopping the WebSocket client failed", e);
        }
        timer.shutdownNow();
    }

    private static long remainingMillis(long deadlineNanos) {
        return Math.max(1, TimeUnit.NANOSECONDS.toMillis(deadlineNanos - System.nanoTime()));
    }

    static ClientException connectFailure(URI uri, Throwable failure) {
        for (Throwable t = failure; t != null; t = t.getCause()) {
            if (t instanceof ClientException clientException) {
                return clientException;
            }
            if (t instanceof ConnectException || t instanceof NoRouteToHostException) {
                return new ClientException(ClientException.Reason.CONNECTION_REFUSED, "Connection refused", failure);
            }
            if (t instanceof UnknownHostException || t instanceof UnresolvedAddressException) {
                return new ClientException(ClientException.Reason.UNKNOWN_HOST,
                        "Cannot resolve host " + uri.getHost(), failure);
            }
            if (t instanceof SocketTimeoutException || t instanceof TimeoutException) {
                return new ClientException(ClientException.Reason.TIMEOUT, "Timed out connecting to " + uri, failure);
            }
            if (t instanceof SSLException) {
                return new ClientException(ClientException.Reason.IO, "TLS handshake with " + uri + " failed: "
                        + t.getMessage(), failure);
            }
            if (t instanceof UpgradeException) {
                return new ClientException(ClientException.Reason.IO, "WebSocket upgrade to " + uri + " failed: "
                        + t.getMessage(), failure);
            }
        }
        return new ClientException(ClientException.Reason.IO, "Cannot connect to " + uri + ": " + failure, failure);
    }
}
