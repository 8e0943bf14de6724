package io.agentchat.daemon;

import io.agentchat.client.AgentChatClient;
import io.agentchat.client.Backoff;
import io.agentchat.client.ClientException;
import io.agentchat.client.ClientOptions;
import io.agentchat.client.Connection;
import io.agentchat.client.ConnectionClosed;
import io.agentchat.client.FrameListener;
import io.agentchat.client.ServerAddresses;
import io.agentchat.client.ServerErrorException;
import io.agentchat.identity.Identity;
import io.agentchat.protocol.ChannelPosition;
import io.agentchat.protocol.ServerFrame;
import java.net.URI;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps one persona connected: connects, joins every channel it has ever joined (resuming after the
 * inbox's last message of each, {@link ChannelRejoin}), and after a drop
 * reconnects with exponential backoff and jitter, until it has been unable to connect for longer
 * than the allowed outage (then it gives up). A refused IDENTIFY is fatal, not retried: the same
 * name or key would be refused again.
 *
 * <p>Given several relays (one cluster's, docs/cluster.md "Clients fail over"), it uses them in
 * turn: a relay that cannot be reached is followed at once by the next, the backoff's wait comes
 * only after a whole round has failed, and a dropped connection moves on to the next relay (after
 * the first backoff step, so a relay's clients do not all land on the next one at the same
 * instant). It stays where it connected; nothing moves it back to the first relay.
 *
 * <p>Being kicked because another connection proved the same key is not a network failure: two
 * processes sharing one identity would take it from each other forever. Each consecutive kick
 * therefore lengthens the wait before reconnecting, as failed attempts do, up to the backoff's
 * cap, and says in the log what is going on.
 *
 * <p>All connecting and joining happens on one named thread. The current {@link LiveConnection} is
 * published only after the channels are rejoined, so the outbox sender never sends into a channel
 * the new connection has not joined yet; it may join more channels itself ({@link #remember}).
 */
public final class ServerLink implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(ServerLink.class);

    /** What the daemon learns from the link; called on the link thread. */
    public interface Events {
        /** Identified on a new connection, before any channel is joined: the server's WELCOME. */
        default void onWelcome(ServerFrame.Welcome welcome) {
        }

        /** Connected and channels joined; {@code first} only for the first connection. */
        void onConnected(LiveConnection live, boolean first);

        /** Could not connect for longer than the allowed outage. */
        void onGaveUp(String reason);

        /** The server refused us in a way retrying cannot fix. */
        void onFatal(String reason);
    }

    /** One live connection and the channels joined on it. */
    public record LiveConnection(Connection connection, Set<String> joined) {
    }

    private final ServerAddresses servers;
    private final Identity identity;
    private final Backoff backoff;
    private final Duration maxOutage;
    private final Clock clock;
    private final FrameListener listener;
    private final Function<String, ChannelPosition> resumeFrom;
    private final Events events;
    private final AgentChatClient client;
    private final ScheduledExecutorService executor;
    private final Set<String> channels = new LinkedHashSet<>();
    private final Object liveLock = new Object();
    private LiveConnection live;
    private volatile boolean closing;
    private boolean everConnected;
    private int attempt;
    /** The relay to try next, an index into {@link #servers}. */
    private int current;
    /** Relays that failed since the last full round (or the last connection). */
    private int failedInRound;
    private int kicks;
    private long connectedAtMs;
    private long downSinceMs;

    /** The close reason a server gives the older connection when a newer one proves the same key. */
    static final String KICKED_REASON = "Identity claimed by new connection";

    /**
     * @param resumeFrom per channel, the last of its messages already stored (null: none); read at
     *     each join, so a rejoin asks the server only for what followed
     */
    public ServerLink(ServerAddresses servers, Identity identity, List<String> initialChannels, ClientOptions options,
                      Backoff backoff, Duration maxOutage, Clock clock,
                      FrameListener listener, Function<String, ChannelPosition> resumeFrom, Events events,
                      String persona) {
        this.servers = servers;
        this.identity = identity;
        this.backoff = backoff;
        this.maxOutage = maxOutage;
        this.clock = clock;
        this.listener = listener;
        this.resumeFrom = resumeFrom;
        this.events = events;
        this.channels.addAll(initialChannels);
        this.client = new AgentChatClient(options);
        this.executor = Executors.newSingleThreadScheduledExecutor(new DaemonThreads("link-" + persona));
    }

    /** Starts the first connection attempt (asynchronously). */
    public void start() {
        downSinceMs = clock.millis();
        executor.execute(this::connect);
    }

    /** The live connection, or null while disconnected. */
    public LiveConnection live() {
        synchronized (liveLock) {
            return live != null && live.connection().isOpen() ? live : null;
        }
    }

    /** Waits up to {@code timeout} for a live connection; null if none came. */
    public LiveConnection awaitLive(Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        synchronized (liveLock) {
            while (!closing) {
                if (live != null && live.connection().isOpen()) {
                    return live;
                }
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    return null;
                }
                TimeUnit.NANOSECONDS.timedWait(liveLock, left);
            }
            return null;
        }
    }

    /**
     * Closes {@code connection} on the link thread, where connections are made and ended, so no
     * client thread waits for a close handshake; the reconnect follows as after any drop.
     *
     * @return completes once the connection has closed
     */
    public CompletableFuture<ConnectionClosed> drop(Connection connection) {
        try {
            executor.execute(connection::close);
        } catch (RejectedExecutionException e) {
            LOG.debug("The link is closing; its client closes the connection");
        }
        return connection.closed();
    }

    /** Records a channel joined on demand, so every later connection rejoins it. */
    public void remember(String channel) {
        synchronized (channels) {
            channels.add(channel);
        }
    }

    /** Forgets a channel left on demand, so no later connection rejoins it. */
    public void forget(String channel) {
        synchronized (channels) {
            channels.remove(channel);
        }
    }

    /** Every channel a connection joins, in first-joined order. */
    public List<String> channels() {
        synchronized (channels) {
            return new ArrayList<>(channels);
        }
    }

    private void connect() {
        if (closing) {
            return;
        }
        URI uri = servers.get(current);
        LOG.info("Connecting to {}...", uri);
        Connection connection;
        try {
            connection = client.connect(uri, identity.name(), identity, listener);
        } catch (ServerErrorException e) {
            LOG.error("Server refused the identity: {}", e.getMessage());
            events.onFatal("Server refused the identity: " + e.getMessage());
            return;
        } catch (ClientException e) {
            LOG.warn("Connection to {} failed: {}", uri, e.getMessage());
            retryAfterFailure();
            return;
        } catch (RuntimeException e) {
            // Anything unexpected must not end the reconnect loop with the daemon still looking alive.
            LOG.error("Connection to {} failed unexpectedly; will retry", uri, e);
            retryAfterFailure();
            return;
        }
        connectedAtMs = clock.millis(); // before joining: a kick may come while we join
        failedInRound = 0;
        LOG.info("Connected as {} to {}", connection.agentId(), uri);
        events.onWelcome(connection.welcome());
        LiveConnection fresh = new LiveConnection(connection, ConcurrentHashMap.newKeySet());
        for (String channel : channels()) {
            try {
                ChannelRejoin.enter(connection, channel, resumeFrom.apply(channel));
                fresh.joined().add(channel);
            } catch (ServerErrorException e) {
                LOG.error("Failed to join {}: {}", channel, e.getMessage());
            } catch (ClientException e) {
                LOG.warn("Lost the connection while joining {}: {}", channel, e.getMessage());
                break;
            }
        }
        try {
            // Recovered messages carry no replay marker, so one of our own could be taken for the
            // echo of a line sent on this connection; the PONG comes after the last of them.
            connection.ping();
        } catch (ClientException e) {
            LOG.warn("Lost the connection after joining: {}", e.getMessage());
        }
        connection.closed().thenAccept(status -> {
            try {
                executor.execute(() -> onClosed(connection, status));
            } catch (RejectedExecutionException e) {
                LOG.debug("Connection closed while the link is closing");
            }
        });
        if (!connection.isOpen()) {
            return;
        }
        synchronized (liveLock) {
            live = fresh;
            liveLock.notifyAll();
        }
        attempt = 0;
        boolean first = !everConnected;
        everConnected = true;
        events.onConnected(fresh, first);
    }

    private void onClosed(Connection connection, ConnectionClosed status) {
        synchronized (liveLock) {
            if (live != null && live.connection() == connection) {
                live = null;
            }
        }
        if (closing) {
            return;
        }
        downSinceMs = clock.millis();
        if (!status.local() && status.code() == 1000 && KICKED_REASON.equals(status.reason())) {
            // A connection that held the id for longer than the backoff's cap ends an old clash.
            kicks = downSinceMs - connectedAtMs > backoff.ceiling(62).toMillis() ? 1 : kicks + 1;
            attempt = Math.min(kicks, 62);
            LOG.error("Another connection proved this persona's key and took its id (kick {} in a row); "
                    + "is the same identity file used by another daemon or client?", kicks);
        } else {
            // The relay went away or dropped us: another relay of the list is the likelier to answer.
            // A kick is not the relay's fault, so it keeps the same one.
            kicks = 0;
            LOG.warn("Disconnected from server ({})", status.describe());
            current = (current + 1) % servers.size();
        }
        scheduleReconnect();
    }

    /** Moves on to the next relay: at once within a round, after the backoff once all have failed. */
    private void retryAfterFailure() {
        current = (current + 1) % servers.size();
        failedInRound++;
        if (failedInRound < servers.size()) {
            if (outageExceeded()) {
                return;
            }
            LOG.info("Trying the next relay, {}", servers.get(current));
            executor.execute(this::connect);
            return;
        }
        failedInRound = 0;
        scheduleReconnect();
    }

    /** True (and the daemon told to give up) once the outage has lasted longer than allowed. */
    private boolean outageExceeded() {
        if (clock.millis() - downSinceMs < maxOutage.toMillis()) {
            return false;
        }
        String why = "Could not reconnect to " + servers + " for " + maxOutage.toSeconds() + " s; giving up";
        LOG.error(why);
        events.onGaveUp(why);
        return true;
    }

    private void scheduleReconnect() {
        if (closing) {
            return;
        }
        if (outageExceeded()) {
            return;
        }
        long left = maxOutage.toMillis() - (clock.millis() - downSinceMs);
        Duration delay = backoff.delay(attempt, ThreadLocalRandom.current().nextDouble());
        attempt = Math.min(attempt + 1, 62);
        LOG.info("Reconnecting in {} ms... ({}s until timeout)", delay.toMillis(), left / 1000);
        executor.schedule(this::connect, delay.toMillis(), TimeUnit.MILLISECONDS);
    }

    /** Stops reconnecting, closes the connection (1000) and the client's threads. Idempotent. */
    @Override
    public void close() {
        closing = true;
        synchronized (liveLock) {
            liveLock.notifyAll();
        }
        executor.shutdownNow();
        try {
            if (!executor.awaitTermination(5, TimeUnit.SECONDS)) {
                LOG.warn("The link thread did not stop within 5 s");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        client.close();
    }
}
