package io.agentchat.server.core;

import io.agentchat.protocol.ChannelPosition;
import io.agentchat.protocol.ClientFrame;
import io.agentchat.protocol.ErrorCode;
import io.agentchat.protocol.FrameCodec;
import io.agentchat.protocol.FrameType;
import io.agentchat.protocol.ProtocolException;
import io.agentchat.protocol.ServerFrame;
import io.agentchat.server.ServerConfig;
import io.agentchat.server.cluster.AddressConnections;
import io.agentchat.server.cluster.AgentDirectory;
import io.agentchat.server.cluster.Cluster;
import io.agentchat.server.cluster.ClusterStatus;
import io.agentchat.server.cluster.Roster;
import io.agentchat.server.cluster.RosterChange;
import io.agentchat.server.cluster.RosterView;
import io.agentchat.server.market.MarketService;
import io.agentchat.server.market.Ratings;
import io.agentchat.server.market.RatingsStore;
import io.agentchat.server.market.SharedRatings;
import io.agentchat.server.metrics.RelayMetrics;
import java.time.Duration;
import java.util.EnumSet;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The relay's state and its front door: every decoded frame enters here, is checked (validation,
 * frame rate, authentication) and handed to the service that owns its type. A handler's
 * {@link ProtocolException} becomes an ERROR frame; any other exception is logged and answered
 * with INVALID_MSG, so no frame can take the server down. Never blocks.
 *
 * <p>Longer than our ~300-line norm: it is the one class that sees a socket from open to close,
 * and its parts (the wiring, the order of the checks, the socket's lifecycle and the timers that
 * end it) read in sequence; the logic of each frame lives in the service it is handed to.
 */
public final class Hub implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger("agentchat.server");
    private final ServerConfig config;
    private final Wire wire;
    private final AgentRegistry agents = new AgentRegistry();
    private final ChannelRegistry channelRegistry;
    private final ChannelService channels;
    private final MembershipLimits membershipLimits;
    private final IdentityGate identity;
    private final Messaging messaging;
    private final HeldMessages held;
    private final ByteBudget historyBytes;
    private final RelayMetrics metrics = new RelayMetrics();
    private final Set<AgentSession> sessions = ConcurrentHashMap.newKeySet();
    private final ConcurrentHashMap<String, AtomicInteger> perAddress = new ConcurrentHashMap<>();
    /** In cluster mode, the connections of each address on every relay; null alone. */
    private final AddressConnections clusterConnections;
    private final ScheduledExecutorService timers;
    private final MarketAdapter market;
    private final ChannelNotices notices;
    private final Roster roster;
    private volatile boolean shuttingDown;

    /**
     * @param ratings the loaded ratings store, for the marketplace; its lifecycle stays with the caller
     * @param cluster the cluster this relay belongs to, already connected (its lifecycle stays with
     *                the caller), or null to run alone
     */
    public Hub(ServerConfig config, FrameCodec codec, RatingsStore ratings, Cluster cluster) {
        this.config = config;
        this.clusterConnections = cluster == null ? null : cluster.connections();
        this.wire = new Wire(codec, config.clock(), metrics);
        RecoveryConfig recovery = config.recovery();
        this.historyBytes = new ByteBudget(recovery.historyBytes());
        long maxAnswerChars = config.maxOutgoingBytes() / 4; // a character is at most 3 UTF-8 bytes: room to spare
        if (cluster != null) {
            // Before any channel reads its position, so nothing is missed.
            cluster.subscribe(new Cluster.Listener() {
                @Override
                public void delivered(String channel, long seq, String epoch, String text) {
                    Hub.this.delivered(channel, seq, epoch, text);
                }

                @Override
                public void resubscribed() {
                    catchUpWithCluster();
                }

                @Override
                public void noticed(String channel, String text) {
                    ChannelNotices arrived = notices; // null while this hub is being built
                    if (arrived != null) {
                        arrived.arrived(channel, text);
                    }
                }
            });
        }
        this.channelRegistry = new ChannelRegistry(config.defaultChannels(), config.bufferSize(),
                () -> new RecoveryHistory(recovery.historyMessages(), recovery.historyAge().toMillis(), historyBytes,
                        maxAnswerChars, this::historyShare),
                cluster == null ? null : name -> new ClusterLog(cluster, name, maxAnswerChars),
                cluster == null ? null : name -> new SharedMembers(cluster.roster(), name),
                cluster == null ? null : cluster.channels(),
                config.maxChannels(), config.maxChannelsPerCreator(), config.maxChannelsPerAddress(),
                config.maxInvitesPerChannel(), config.emptyChannelGrace().toMillis(), wire.now());
        this.notices = new ChannelNotices(channelRegistry, cluster);
        this.held = new HeldMessages(recovery);
        this.membershipLimits = new MembershipLimits(config.clock(), config.membershipChangesPerMinute(),
                config.membershipChangesPerMinutePerAddress(), cluster == null ? null : cluster.minuteCounters());
        AgentDirectory directory = cluster == null ? null : cluster.directory();
        this.channels = new ChannelService(wire, channelRegistry, agents, config.maxMembersPerChannel(),
                config.maxAnnouncedMembers(), membershipLimits, directory);
        this.roster = cluster == null ? null : cluster.roster();
        if (roster != null) {
            roster.start(config.defaultChannels(), new Roster.Listener() {
                @Override
                public void changed(String channel, RosterChange change) {
                    channels.remoteChanged(channel, change);
                }

                @Override
                public void read(String channel, RosterView view) {
                    channels.remoteRead(channel, view);
                }
            });
        }
        this.identity = new IdentityGate(wire, agents, channels, held, config.name(), config.publicHosts(),
                messagePace(config), messageBurst(config), directory);
        this.messaging = new Messaging(wire, channels, agents, held, config.rateLimit(), directory);
        this.timers = Executors.newSingleThreadScheduledExecutor(runnable -> {
            Thread thread = new Thread(runnable, "agentchat-timers");
            thread.setDaemon(true);
            thread.setUncaughtExceptionHandler((t, e) -> LOG.error("timer task failed", e));
            return thread;
        });
        // A third of the grace: in cluster mode each pass also renews the cluster's entry of every
        // channel in use here, which must happen well within the grace (docs/cluster.md, "Channels").
        long reclaimPeriod = Math.max(1, Math.min(60_000, config.emptyChannelGrace().toMillis() / 3));
        timers.scheduleWithFixedDelay(safe("reclaim", this::reclaimChannels), reclaimPeriod, reclaimPeriod, TimeUnit.MILLISECONDS);
        timers.scheduleWithFixedDelay(safe("rate-buckets", membershipLimits::sweep), 60, 60, TimeUnit.SECONDS);
        // Expired history and held DMs give their bytes back even where nothing new arrives.
        timers.scheduleWithFixedDelay(safe("recovery-expiry", this::expireRecovery), 5, 5, TimeUnit.SECONDS);
        long idle = config.idlePrompt().toMillis();
        if (idle > 0) {
            IdlePrompter prompter = new IdlePrompter(wire, channelRegistry, idle);
            long check = Math.max(1, Math.min(60_000, idle / 5));
            timers.scheduleWithFixedDelay(safe("idle-prompt", prompter::promptIdleChannels), check, check, TimeUnit.MILLISECONDS);
        }
        long ping = config.pingInterval().toMillis();
        if (ping > 0) {
            timers.scheduleWithFixedDelay(safe("heartbeat", this::pingAll), ping, ping, TimeUnit.MILLISECONDS);
        }
        // The marketplace runs on this hub's clock and timer thread; expired proposals, skills and
        // verifications are swept every 60 s, the reference's period.
        Ratings ledger = ratings;
        if (cluster != null) {
            // One ledger for the cluster; this relay's store is its snapshot (docs/cluster.md, "Marketplace").
            SharedRatings shared = SharedRatings.start(cluster.ratings(), ratings, config.market().maxRatedAgents());
            timers.scheduleWithFixedDelay(safe("ratings-snapshot", shared::snapshot), 60, 60, TimeUnit.SECONDS);
            ledger = shared;
        }
        this.market = new MarketAdapter(new MarketService(config.market(), ledger, config.clock(), timers,
                cluster == null ? null : cluster.skills(), cluster == null ? null : cluster.pendingSlots()), wire,
                agents, notices, directory, cluster == null ? null : cluster.market());
        timers.scheduleWithFixedDelay(safe("market-sweep", market::sweep), 60, 60, TimeUnit.SECONDS);
    }

    /** The marketplace's proposal counts, for /health. */
    public MarketService.ProposalStats proposalStats() {
        return market.stats();
    }

    /**
     * A new socket. Returns null when its address already holds too many connections.
     *
     * @param dialledHost the HTTP Host the client sent with its upgrade (null if none): the host
     *                    its answer to the identify challenge must name
     */
    public AgentSession open(Outbound outbound, String dialledHost) {
        String address = outbound.remoteAddress();
        AtomicInteger count = perAddress.computeIfAbsent(address, a -> new AtomicInteger());
        if (count.incrementAndGet() > config.maxConnectionsPerIp()) {
            count.decrementAndGet();
            LOG.warn("connection refused ip={} reason=too-many-connections", address);
            return null;
        }
        if (clusterConnections != null && !clusterConnections.admit(address, config.maxConnectionsPerIp())) {
            count.decrementAndGet();
            LOG.warn("connection refused ip={} reason=too-many-connections-in-cluster", address);
            return null;
        }
        AgentSession session = new AgentSession(outbound, dialledHost, wire.now(),
                new RateLimiter(config.clock(), config.rateLimit(), config.rateBurst()),
                frameLimiter(), invalidFrameLimiter());
        sessions.add(session);
        long timeout = config.identifyTimeout().toMillis();
        if (timeout > 0) {
            timers.schedule(() -> {
                if (!session.identified() && !session.closed()) {
                    LOG.info("identify-timeout ip={}", address);
                    session.close(1008, "IDENTIFY timeout");
                }
            }, timeout, TimeUnit.MILLISECONDS);
        }
        LOG.debug("connection ip={}", address);
        return session;
    }

    /** A channel's share of the recovery budget: the budget over the channels there are now. */
    private long historyShare() {
        return config.recovery().historyBytes() / Math.max(1, channelRegistry.size());
    }

    /**
     * The MSG pace WELCOME tells clients: the tighter of the message limit and the frame budget,
     * which MSGs share with every other frame.
     */
    private static Duration messagePace(ServerConfig config) {
        int fps = config.framesPerSecond();
        Duration frames = fps == 0 ? Duration.ZERO : Duration.ofMillis((1000 + fps - 1) / fps);
        return config.rateLimit().compareTo(frames) >= 0 ? config.rateLimit() : frames;
    }

    private static int messageBurst(ServerConfig config) {
        int burst = config.rateLimit().isZero() ? Integer.MAX_VALUE : config.rateBurst();
        if (config.framesPerSecond() > 0) {
            burst = Math.min(burst, config.frameBurst());
        }
        return burst == Integer.MAX_VALUE ? config.rateBurst() : burst;
    }

    /** Every frame type shares one budget per connection, not only MSG (docs/protocol.md §6.4). */
    private RateLimiter frameLimiter() {
        Duration refill = config.framesPerSecond() == 0 ? Duration.ZERO
                : Duration.ofNanos(1_000_000_000L / config.framesPerSecond());
        return new RateLimiter(config.clock(), refill, config.frameBurst());
    }

    /**
     * A burst of {@code maxInvalidFramesPerMinute} refused frames, refilled at that rate: a client
     * with a bug gets an ERROR per mistake, a stream of garbage gets the connection closed.
     */
    private RateLimiter invalidFrameLimiter() {
        int perMinute = config.maxInvalidFramesPerMinute();
        Duration refill = perMinute == 0 ? Duration.ZERO : Duration.ofNanos(60_000_000_000L / perMinute);
        return new RateLimiter(config.clock(), refill, Math.max(1, perMinute));
    }

    /** A periodic task that logs its failure and runs again next time (an escaped exception would cancel it for good). */
    private static Runnable safe(String name, Runnable task) {
        return () -> {
            try {
                task.run();
            } catch (RuntimeException e) {
                LOG.error("periodic task {} failed; it will run again", name, e);
            }
        };
    }

    /** A pong or any other sign of life from the peer. */
    public void heard(AgentSession session) {
        session.heard(wire.now());
    }

    public void onText(AgentSession session, String text) {
        if (session.closed()) {
            return;
        }
        session.heard(wire.now());
        try {
            // Before parsing: a frame costs its budget whether or not it turns out to be one.
            if (!session.frameLimiter().tryAcquire()) {
                throw new ProtocolException(ErrorCode.RATE_LIMITED, "Rate limit exceeded (too many frames)");
            }
            ClientFrame frame = decode(session, text);
            if (frame == null) {
                return;
            }
            metrics.frameIn(frame.type());
            if (config.logMessages()) {
                LOG.info("message type={} from={}", frame.wireType(), session.identified() ? session.ref() : "-");
            }
            dispatch(session, frame);
        } catch (ProtocolException e) {
            LOG.debug("error code={} id={}", e.code(), session.identified() ? session.ref() : "-");
            wire.error(session, e.code(), e.getMessage());
        } catch (RuntimeException e) {
            LOG.error("handler failed for id={}", session.identified() ? session.ref() : "-", e);
            wire.error(session, ErrorCode.INVALID_MSG, "Internal error handling the frame");
        }
    }

    /**
     * The frame, or null once the connection is being closed for sending too many the decoder
     * refused (1008); a refused frame within the allowance is thrown on, to be answered with ERROR.
     */
    private ClientFrame decode(AgentSession session, String text) {
        try {
            return ClientFrameDecoder.decode(wire.codec(), text);
        } catch (ProtocolException refused) {
            metrics.undecodable();
            if (session.invalidFrames().tryAcquire()) {
                throw refused;
            }
            LOG.warn("closing connection ip={} id={} reason=too-many-invalid-frames", session.remoteAddress(),
                    session.identified() ? session.ref() : "-");
            session.close(1008, "Too many invalid frames");
            return null;
        }
    }

    /** Frames a connection may send before IDENTIFY. */
    private static final Set<FrameType> BEFORE_IDENTIFY = EnumSet.of(FrameType.PING, FrameType.LIST_CHANNELS,
            FrameType.LIST_AGENTS, FrameType.IDENTIFY);
    /**
     * Frames that do not act as the id, so a session that has not proved its key may send them; the
     * rest are visible to others or addressed back to the id.
     */
    private static final Set<FrameType> WITHOUT_PROOF = EnumSet.of(FrameType.PING, FrameType.LIST_CHANNELS,
            FrameType.LIST_AGENTS, FrameType.IDENTIFY, FrameType.MSG, FrameType.JOIN, FrameType.LEAVE,
            FrameType.SEARCH_SKILLS);

    /** The checks in the order the protocol answers them, then the one switch on the frame's type. */
    private void dispatch(AgentSession session, ClientFrame frame) {
        FrameType type = frame.type();
        if (!session.identified() && !BEFORE_IDENTIFY.contains(type)) {
            throw new ProtocolException(ErrorCode.AUTH_REQUIRED, "Must IDENTIFY first");
        }
        // A VERIFY_RESPONSE that answers the server's own IDENTIFY challenge is consumed here.
        if (type == FrameType.VERIFY_RESPONSE
                && identity.answerChallenge(session, (ClientFrame.VerifyResponse) frame)) {
            return;
        }
        if (!session.actsAsId() && !WITHOUT_PROOF.contains(type)) {
            throw IdentityGate.proofRequired(session);
        }
        switch (type) {
            case PING -> wire.send(session, new ServerFrame.Pong(wire.now()));
            case LIST_CHANNELS -> channels.listChannels(session, config.maxListedChannels());
            case LIST_AGENTS -> channels.listAgents(session, ((ClientFrame.ListAgents) frame).channel());
            case IDENTIFY -> identity.identify(session, (ClientFrame.Identify) frame);
            case MSG -> messaging.send(session, (ClientFrame.Msg) frame);
            case JOIN -> {
                ClientFrame.Join f = (ClientFrame.Join) frame;
                channels.join(session, f.channel(), f.since() == null ? null : new ChannelPosition(f.since(), f.epoch()));
            }
            case LEAVE -> channels.leave(session, ((ClientFrame.Leave) frame).channel());
            case CREATE_CHANNEL -> {
                ClientFrame.CreateChannel f = (ClientFrame.CreateChannel) frame;
                channels.create(session, f.channel(), f.inviteOnly());
            }
            case INVITE -> {
                ClientFrame.Invite f = (ClientFrame.Invite) frame;
                channels.invite(session, f.channel(), f.agent());
            }
            case SET_PRESENCE -> {
                ClientFrame.SetPresence f = (ClientFrame.SetPresence) frame;
                channels.setPresence(session, f.status(), f.statusText());
            }
            case PROPOSAL, ACCEPT, REJECT, COMPLETE, DISPUTE, REGISTER_SKILLS, SEARCH_SKILLS, VERIFY_REQUEST,
                    VERIFY_RESPONSE -> market.handle(session, frame);
            // Only the server sends these; the decoder never makes a client frame of them.
            case WELCOME, JOINED, LEFT, AGENT_JOINED, AGENT_LEFT, CHANNELS, AGENTS, ERROR, PONG, SKILLS_REGISTERED,
                    SEARCH_RESULTS, PRESENCE_CHANGED, VERIFY_SUCCESS, VERIFY_FAILED ->
                    throw new IllegalStateException("not a client frame type: " + type);
        }
    }

    public void onClose(AgentSession session) {
        if (!sessions.remove(session)) {
            return;
        }
        session.markClosed();
        perAddress.computeIfPresent(session.remoteAddress(), (a, count) -> count.decrementAndGet() <= 0 ? null : count);
        if (clusterConnections != null) {
            clusterConnections.release(session.remoteAddress());
        }
        // The id stops answering first: once peers hear AGENT_LEFT, a DM to it is held, not sent here.
        identity.gone(session);
        if (!shuttingDown) {
            channels.leaveAll(session);
        }
        if (session.identified()) {
            LOG.info("disconnect id={}", session.ref());
        }
        if (shuttingDown && sessions.isEmpty()) {
            synchronized (sessions) {
                sessions.notifyAll();
            }
        }
    }

    /** A channel message from the cluster (any relay's, this one's too), on the cluster's delivery thread (never Lettuce's own). */
    private void delivered(String logName, long seq, String epoch, String text) {
        ChannelRegistry registry = channelRegistry; // null while this hub is being built
        Channel channel = registry == null ? null : registry.forLog(logName);
        if (channel != null) {
            channel.deliver(seq, epoch, text, wire::now);
        }
    }

    private void catchUpWithCluster() {
        ChannelRegistry registry = channelRegistry;
        if (registry != null) {
            for (Channel channel : registry.all()) {
                channel.catchUp(wire::now);
            }
        }
    }

    private void expireRecovery() {
        long now = wire.now();
        for (Channel channel : channelRegistry.all()) {
            channel.expireHistory(now);
        }
        held.sweep(now);
    }

    private void reclaimChannels() {
        ChannelRegistry.Reclaimed reclaimed = channelRegistry.reclaim(wire.now(), config.emptyChannelGrace().toMillis());
        if (reclaimed.count() > 0) {
            LOG.info("reclaimed {} empty channel(s)", reclaimed.count());
        }
        for (Channel channel : reclaimed.superseded()) {
            LOG.warn("channel taken by another in the cluster, its members here let go channel={}", channel.logName());
            channels.retire(channel);
        }
        if (roster != null && reclaimed.count() + reclaimed.superseded().size() > 0) {
            roster.retain(channelRegistry.all().stream().map(channelRegistry::logNameOf).toList());
        }
    }

    /**
     * Pings every socket, and drops the ones that have not answered anything for two and a half
     * intervals. Jetty's own idle timeout cannot do this: our pings count as activity.
     */
    private void pingAll() {
        long now = wire.now();
        long deadline = config.pingInterval().toMillis() * 5 / 2;
        for (AgentSession session : sessions) {
            if (now - session.lastHeard() > deadline) {
                LOG.info("heartbeat-timeout id={}", session.identified() ? session.ref() : session.remoteAddress());
                session.outbound().abort();
                onClose(session);
            } else {
                session.outbound().ping();
            }
        }
    }

    public HubStats stats() {
        int connected = 0;
        int withKey = 0;
        for (AgentSession session : sessions) {
            if (session.identified()) {
                connected++;
                if (session.hasKey()) {
                    withKey++;
                }
            }
        }
        int total = 0;
        int publicChannels = 0;
        for (Channel channel : channelRegistry.all()) {
            total++;
            if (!channel.inviteOnly()) {
                publicChannels++;
            }
        }
        return new HubStats(connected, withKey, total, publicChannels, sessions.size());
    }

    /** Tells every client the server is going away (1001), then stops the timers. */
    @Override
    public void close() {
        shuttingDown = true;
        for (AgentSession session : sessions) {
            session.close(1001, "Server shutting down");
        }
        timers.shutdownNow();
    }

    /**
     * Waits, after {@link #close()}, until every socket has finished its closing handshake, so the
     * frames queued before the close (e.g. the echo of a message already relayed) reach their peers.
     */
    public void awaitSocketsClosed(Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        synchronized (sessions) {
            while (!sessions.isEmpty()) {
                long left = TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime());
                if (left <= 0) {
                    return;
                }
                sessions.wait(Math.min(left, 50));
            }
        }
    }

    /** The counters behind /metrics; the transport adds what it sees of each socket. */
    public RelayMetrics metrics() {
        return metrics;
    }

    /** The relay's state now, for /metrics: one pass over the sockets and channels. */
    public RelayMetrics.Gauges gauges() {
        int identified = 0;
        int proven = 0;
        long queued = 0;
        for (AgentSession session : sessions) {
            identified += session.identified() ? 1 : 0;
            proven += session.proven() ? 1 : 0;
            queued += session.outbound().queuedBytes();
        }
        return new RelayMetrics.Gauges(sessions.size(), identified, proven, channelRegistry.size(), queued,
                historyBytes.used(), held.mailboxes(), held.bytesHeld());
    }

    /** The cluster as /health shows it, or null when this relay runs alone. */
    public ClusterStatus clusterStatus() {
        return roster == null ? null : roster.status();
    }

    /** Counts for /health. */
    public record HubStats(int connected, int withIdentity, int channels, int publicChannels, int sockets) {
    }
}
