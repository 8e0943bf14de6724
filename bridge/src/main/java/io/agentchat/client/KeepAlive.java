package io.agentchat.client;

import java.net.URI;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.function.Supplier;
import org.eclipse.jetty.websocket.api.Callback;
import org.eclipse.jetty.websocket.api.Session;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The keep-alive of one {@link Connection}: a WebSocket ping every interval, and a server from which
 * nothing (no frame, no pong) was heard for two intervals is taken for dead and dropped, rather
 * than waiting for TCP to notice. Jetty's idle timeout (three intervals, set by
 * {@link AgentChatClient}) is the backstop.
 */
final class KeepAlive {
    /** The connection's logger: log lines name the logger, and this one has always been Connection's. */
    private static final Logger LOG = LoggerFactory.getLogger(Connection.class);

    private final URI uri;
    private final Duration interval;
    private volatile long lastHeardNanos = System.nanoTime();
    private volatile ScheduledFuture<?> task;

    /** @param interval the ping period; {@link Duration#ZERO} turns keep-alive off */
    KeepAlive(URI uri, Duration interval) {
        this.uri = uri;
        this.interval = interval;
    }

    /** Something came from the server. */
    void heard() {
        lastHeardNanos = System.nanoTime();
    }

    /**
     * Starts pinging on {@code timer}.
     *
     * @param session the socket, null before it opened
     * @param drop    called on the timer thread with the socket of a server found silent
     */
    void start(ScheduledExecutorService timer, Supplier<Session> session, Consumer<Session> drop) {
        if (interval.isZero()) {
            return;
        }
        long periodMs = interval.toMillis();
        task = timer.scheduleAtFixedRate(() -> tick(session.get(), drop), periodMs, periodMs, TimeUnit.MILLISECONDS);
    }

    void stop() {
        ScheduledFuture<?> t = task;
        if (t != null) {
            t.cancel(false);
        }
    }

    private void tick(Session s, Consumer<Session> drop) {
        if (s == null || !s.isOpen()) {
            return;
        }
        long silentMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - lastHeardNanos);
        if (silentMs > 2 * interval.toMillis()) {
            LOG.warn("{} silent for {} ms; dropping the connection", uri, silentMs);
            drop.accept(s);
            return;
        }
        s.sendPing(ByteBuffer.allocate(0), Callback.NOOP);
    }
}
