package io.agentchat.server;

import io.agentchat.protocol.Names;
import io.agentchat.server.core.RecoveryConfig;
import io.agentchat.server.market.MarketConfig;
import java.net.URI;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Objects;

/**
 * Everything a relay needs to start, with the original's defaults and the limits it lacks
 * (docs/limits.md). Build with {@link #builder()}; every value is validated once here.
 *
 * @param host             interface to bind (reference default {@code 0.0.0.0})
 * @param port             TCP port; 0 picks an ephemeral one (reference default 6667)
 * @param name             server name in WELCOME and /health
 * @param bufferSize       replay messages kept per channel; 0 disables replay (reference: 20)
 * @param rateLimit        minimum gap between two rate-limited frames of one agent; zero disables
 * @param rateBurst        messages an agent may send back to back before the gap applies
 * @param framesPerSecond  sustained rate of frames of any type per connection; 0 disables
 * @param frameBurst       frames of any type a connection may send back to back
 * @param logMessages      log one {@code message{type,from}} event per frame (never content)
 * @param tlsCert          PEM certificate chain; with {@code tlsKey} switches to wss/https
 * @param tlsKey           PEM private key
 * @param dataDir          where the ratings store lives (the server's one persistent file)
 * @param maxFrameBytes    largest WebSocket message; bigger ones close the connection with 1009
 * @param identifyTimeout  an unidentified socket is closed after this long
 * @param pingInterval     WebSocket ping period; a peer silent for two periods is dropped
 * @param maxConnectionsPerIp concurrent sockets from one address
 * @param maxChannels      channels on the server, default ones included
 * @param maxChannelsPerCreator channels one agent may have created and not yet reclaimed
 * @param maxChannelsPerAddress channels the agents of one address may have created and not yet reclaimed
 * @param emptyChannelGrace how long an empty created channel survives before it is reclaimed
 * @param maxMembersPerChannel members in one channel
 * @param maxInvitesPerChannel agents one channel's invite list may hold
 * @param membershipChangesPerMinute JOINs and LEAVEs that change membership, per agent; 0 disables
 * @param membershipChangesPerMinutePerAddress the same, for all agents of one address together; 0 disables
 * @param defaultChannels  the permanent public channels every server starts with
 * @param market           the marketplace's bounds and timers
 * @param idlePrompt       a channel with two or more members and no activity this long gets a
 *                         conversation starter from {@code @server} (docs/protocol.md §7.9); zero disables
 * @param clock            time source (injected so limits can be tested without sleeping)
 * @param publicHosts      hosts (as in a URL: {@code host} or {@code host:port}) clients may name when
 *                         they answer the identify challenge, besides the HTTP Host they sent: for a
 *                         proxy in front that rewrites the Host header
 * @param maxInvalidFramesPerMinute frames the decoder refuses (each answered with ERROR) that one
 *                         connection may send in a burst, refilled at this rate per minute; the
 *                         next one closes the connection with 1008. 0 disables the check
 * @param maxOutgoingBytes payload bytes queued to one socket and not yet written; past this the
 *                         peer is a slow consumer and is dropped. One frame bigger than this still
 *                         goes to a peer with nothing else queued
 * @param maxListedChannels public channels named in one LIST_CHANNELS reply; past this, the ones
 *                         with the most members (see docs/decisions.md)
 * @param maxAnnouncedMembers the largest channel (visible members) whose joins, leaves, greetings
 *                         and presence changes are told to its members; 0 tells none
 * @param recovery         what is kept in memory so clients that come back miss nothing: channel
 *                         histories for resuming, DMs held for proven identities
 * @param cluster          the Redis of the cluster this relay belongs to ({@code redis://host:port}, see
 *                         docs/cluster.md), or null to run alone, with no Redis at all
 * @param clusterRelayTtl  how long a relay's heartbeat lives in the cluster: a relay silent for
 *                         longer is taken for dead and its members leave (beats every third of it)
 * @param proxyProtocol    accept a PROXY protocol header (v1 or v2) from a front proxy, so a client's
 *                         own address is the one its per-address limits count (docs/cluster.md, "The
 *                         front proxy"); only for relays that nothing but the proxy can reach
 */
public record ServerConfig(String host, int port, String name, int bufferSize, Duration rateLimit, int rateBurst,
                           int framesPerSecond, int frameBurst, boolean logMessages, Path tlsCert, Path tlsKey, Path dataDir, int maxFrameBytes,
                           Duration identifyTimeout, Duration pingInterval,
                           int maxConnectionsPerIp, int maxChannels, int maxChannelsPerCreator,
                           int maxChannelsPerAddress, Duration emptyChannelGrace, int maxMembersPerChannel,
                           int maxInvitesPerChannel, int membershipChangesPerMinute,
                           int membershipChangesPerMinutePerAddress, List<String> defaultChannels, MarketConfig market,
                           Duration idlePrompt, Clock clock, List<String> publicHosts,
                           int maxInvalidFramesPerMinute, int maxOutgoingBytes, int maxListedChannels,
                           int maxAnnouncedMembers, RecoveryConfig recovery, URI cluster, Duration clusterRelayTtl,
                           boolean proxyProtocol) {

    public static final int DEFAULT_PORT = 6667;
    public static final int DEFAULT_BUFFER_SIZE = 20;
    public static final Duration DEFAULT_RATE_LIMIT = Duration.ofMillis(1000);
    public static final List<String> DEFAULT_CHANNELS = List.of("#general", "#agents", "#discovery", "#skills");
    public static final int DEFAULT_MAX_INVALID_FRAMES_PER_MINUTE = 20;
    public static final int DEFAULT_MAX_OUTGOING_BYTES = 4 * 1024 * 1024;
    public static final Duration DEFAULT_CLUSTER_RELAY_TTL = Duration.ofSeconds(15);
    public static final int DEFAULT_MAX_LISTED_CHANNELS = 200;
    public static final int DEFAULT_MAX_ANNOUNCED_MEMBERS = 200;

    public ServerConfig {
        Objects.requireNonNull(host, "host");
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(rateLimit, "rateLimit");
        Objects.requireNonNull(clock, "clock");
        Objects.requireNonNull(idlePrompt, "idlePrompt");
        Objects.requireNonNull(market, "market");
        Objects.requireNonNull(recovery, "recovery");
        publicHosts = List.copyOf(publicHosts);
        defaultChannels = List.copyOf(defaultChannels);
        for (String channel : defaultChannels) {
            if (!Names.isChannel(channel)) {
                throw new IllegalArgumentException("invalid channel name: " + channel);
            }
        }
        if (defaultChannels.stream().distinct().count() != defaultChannels.size()) {
            throw new IllegalArgumentException("default channels must be distinct: " + defaultChannels);
        }
        if (maxChannels < defaultChannels.size()) {
            throw new IllegalArgumentException("max channels must be >= the number of default channels");
        }
        if (maxConnectionsPerIp < 1 || maxChannelsPerCreator < 0 || maxChannelsPerAddress < 0
                || maxMembersPerChannel < 1 || maxInvitesPerChannel < 0) {
            throw new IllegalArgumentException("connection, channel, member and invite limits must be >= 0"
                    + " (connections and members >= 1)");
        }
        if (membershipChangesPerMinute < 0 || membershipChangesPerMinutePerAddress < 0) {
            throw new IllegalArgumentException("membership changes per minute must be >= 0");
        }
        if (port < 0 || port > 65535) {
            throw new IllegalArgumentException("port must be 0-65535, got " + port);
        }
        if (bufferSize < 0) {
            throw new IllegalArgumentException("buffer size must be >= 0, got " + bufferSize);
        }
        if (rateLimit.isNegative()) {
            throw new IllegalArgumentException("rate limit must be >= 0");
        }
        if (rateBurst < 1 || frameBurst < 1) {
            throw new IllegalArgumentException("bursts must be >= 1");
        }
        if (framesPerSecond < 0) {
            throw new IllegalArgumentException("frames per second must be >= 0");
        }
        if ((tlsCert == null) != (tlsKey == null)) {
            throw new IllegalArgumentException("Both --cert and --key must be provided for TLS");
        }
        if (maxFrameBytes < 1024) {
            throw new IllegalArgumentException("max frame size must be >= 1024 bytes");
        }
        if (maxInvalidFramesPerMinute < 0) {
            throw new IllegalArgumentException("max invalid frames per minute must be >= 0");
        }
        if (maxOutgoingBytes < 1024) {
            throw new IllegalArgumentException("max outgoing bytes must be >= 1024");
        }
        if (maxAnnouncedMembers < 0) {
            throw new IllegalArgumentException("max announced members must be >= 0");
        }
        if (maxListedChannels < 1) {
            throw new IllegalArgumentException("max listed channels must be >= 1");
        }
        if (cluster != null && !"redis".equals(cluster.getScheme()) && !"rediss".equals(cluster.getScheme())) {
            throw new IllegalArgumentException("the cluster must be a redis:// or rediss:// URI, got " + cluster);
        }
        if (clusterRelayTtl.toMillis() < 300) {
            throw new IllegalArgumentException("the cluster relay TTL must be at least 300 ms");
        }
    }

    public boolean tls() {
        return tlsCert != null;
    }

    public static Builder builder() {
        return new Builder();
    }

    /** Defaults: the reference's where it has one, otherwise a bound chosen in docs/decisions.md. */
    public static final class Builder {
        private String host = "0.0.0.0";
        private int port = DEFAULT_PORT;
        private String name = "agentchat";
        private int bufferSize = DEFAULT_BUFFER_SIZE;
        private Duration rateLimit = DEFAULT_RATE_LIMIT;
        private int rateBurst = 1;
        private int framesPerSecond = 20;
        private int frameBurst = 50;
        private boolean logMessages;
        private Path tlsCert;
        private Path tlsKey;
        private Path dataDir = Path.of(".agentchat");
        private int maxFrameBytes = 64 * 1024;
        private Duration identifyTimeout = Duration.ofSeconds(30);
        private Duration pingInterval = Duration.ofSeconds(30);
        private int maxConnectionsPerIp = 10_000;
        private int maxChannels = 10_000;
        private int maxChannelsPerCreator = 20;
        private int maxChannelsPerAddress = 100;
        private Duration emptyChannelGrace = Duration.ofMinutes(10);
        private int maxMembersPerChannel = 10_000;
        private int maxInvitesPerChannel = 1000;
        private int membershipChangesPerMinute = 30;
        private int membershipChangesPerMinutePerAddress = 120;
        private List<String> defaultChannels = DEFAULT_CHANNELS;
        private MarketConfig market = MarketConfig.defaults();
        private Duration idlePrompt = Duration.ofMinutes(5);
        private Clock clock = Clock.systemUTC();
        private List<String> publicHosts = java.util.List.of();
        private int maxInvalidFramesPerMinute = DEFAULT_MAX_INVALID_FRAMES_PER_MINUTE;
        private int maxOutgoingBytes = DEFAULT_MAX_OUTGOING_BYTES;
        private int maxListedChannels = DEFAULT_MAX_LISTED_CHANNELS;
        private int maxAnnouncedMembers = DEFAULT_MAX_ANNOUNCED_MEMBERS;
        private RecoveryConfig recovery = RecoveryConfig.defaults();
        private URI cluster;
        private Duration clusterRelayTtl = DEFAULT_CLUSTER_RELAY_TTL;
        private boolean proxyProtocol;

        public Builder host(String host) { this.host = host; return this; }
        public Builder port(int port) { this.port = port; return this; }
        public Builder name(String name) { this.name = name; return this; }
        public Builder bufferSize(int bufferSize) { this.bufferSize = bufferSize; return this; }
        public Builder rateLimit(Duration rateLimit) { this.rateLimit = rateLimit; return this; }
        public Builder rateBurst(int rateBurst) { this.rateBurst = rateBurst; return this; }
        public Builder framesPerSecond(int perSecond) { this.framesPerSecond = perSecond; return this; }
        public Builder frameBurst(int burst) { this.frameBurst = burst; return this; }
        public Builder logMessages(boolean logMessages) { this.logMessages = logMessages; return this; }
        public Builder tls(Path cert, Path key) { this.tlsCert = cert; this.tlsKey = key; return this; }
        public Builder dataDir(Path dataDir) { this.dataDir = dataDir; return this; }
        public Builder maxFrameBytes(int bytes) { this.maxFrameBytes = bytes; return this; }
        public Builder identifyTimeout(Duration timeout) { this.identifyTimeout = timeout; return this; }
        public Builder pingInterval(Duration interval) { this.pingInterval = interval; return this; }
        public Builder maxConnectionsPerIp(int max) { this.maxConnectionsPerIp = max; return this; }
        public Builder maxChannels(int max) { this.maxChannels = max; return this; }
        public Builder maxChannelsPerCreator(int max) { this.maxChannelsPerCreator = max; return this; }
        public Builder maxChannelsPerAddress(int max) { this.maxChannelsPerAddress = max; return this; }
        public Builder maxInvitesPerChannel(int max) { this.maxInvitesPerChannel = max; return this; }
        public Builder membershipChangesPerMinute(int perMinute) { this.membershipChangesPerMinute = perMinute; return this; }
        public Builder membershipChangesPerMinutePerAddress(int perMinute) {
            this.membershipChangesPerMinutePerAddress = perMinute;
            return this;
        }
        public Builder defaultChannels(List<String> channels) { this.defaultChannels = channels; return this; }
        public Builder market(MarketConfig market) { this.market = market; return this; }

        /**
         * Turns every rate limit off (message rate, frame budget, membership changes) and keeps
         * every memory bound: for benchmarks and trusted deployments.
         */
        public Builder noRateLimits() {
            this.rateLimit = Duration.ZERO;
            this.framesPerSecond = 0;
            this.membershipChangesPerMinute = 0;
            this.membershipChangesPerMinutePerAddress = 0;
            return this;
        }

        public Builder emptyChannelGrace(Duration grace) { this.emptyChannelGrace = grace; return this; }
        public Builder maxMembersPerChannel(int max) { this.maxMembersPerChannel = max; return this; }
        public Builder idlePrompt(Duration idle) { this.idlePrompt = idle; return this; }
        public Builder clock(Clock clock) { this.clock = clock; return this; }
        public Builder publicHosts(List<String> hosts) { this.publicHosts = hosts; return this; }
        public Builder maxInvalidFramesPerMinute(int max) { this.maxInvalidFramesPerMinute = max; return this; }
        public Builder maxOutgoingBytes(int bytes) { this.maxOutgoingBytes = bytes; return this; }
        public Builder maxListedChannels(int max) { this.maxListedChannels = max; return this; }
        public Builder recovery(RecoveryConfig recovery) { this.recovery = recovery; return this; }
        public Builder maxAnnouncedMembers(int max) { this.maxAnnouncedMembers = max; return this; }
        /** The cluster's Redis, or null (the default) to run alone. */
        public Builder cluster(URI redis) { this.cluster = redis; return this; }
        /** How long a relay's heartbeat lives in the cluster; shorter in tests, to see a dead relay go sooner. */
        public Builder clusterRelayTtl(Duration ttl) { this.clusterRelayTtl = ttl; return this; }
        /** Accept a front proxy's PROXY protocol header (default: off). */
        public Builder proxyProtocol(boolean on) { this.proxyProtocol = on; return this; }

        public ServerConfig build() {
            return new ServerConfig(host, port, name, bufferSize, rateLimit, rateBurst, framesPerSecond, frameBurst,
                    logMessages, tlsCert, tlsKey,
                    dataDir, maxFrameBytes, identifyTimeout, pingInterval, maxConnectionsPerIp,
                    maxChannels, maxChannelsPerCreator, maxChannelsPerAddress, emptyChannelGrace, maxMembersPerChannel,
                    maxInvitesPerChannel, membershipChangesPerMinute, membershipChangesPerMinutePerAddress,
                    defaultChannels, market, idlePrompt, clock, publicHosts,
                    maxInvalidFramesPerMinute, maxOutgoingBytes, maxListedChannels, maxAnnouncedMembers, recovery, cluster,
                    clusterRelayTtl, proxyProtocol);
        }
    }
}
