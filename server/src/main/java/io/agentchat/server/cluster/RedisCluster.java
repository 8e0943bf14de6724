package io.agentchat.server.cluster;

import io.agentchat.protocol.ChannelPosition;
import io.agentchat.server.core.RecoveryConfig;
import io.lettuce.core.ClientOptions;
import io.lettuce.core.RedisCommandTimeoutException;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisURI;
import io.lettuce.core.ScriptOutputType;
import io.lettuce.core.SocketOptions;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.pubsub.RedisPubSubAdapter;
import io.lettuce.core.pubsub.StatefulRedisPubSubConnection;
import java.net.URI;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The cluster over one Redis (Lettuce): each channel's seq and epoch in a hash, its recovery
 * history in a list capped to the history size with a TTL of the history age, and its messages on
 * a Pub/Sub topic. One Lua script numbers, keeps and publishes a message atomically, so Redis's
 * order is the channel's order on every relay (as Centrifugo's Redis engine does). Keys, for
 * channel {@code #c}: {@code agentchat:{#c}:meta} (fields {@code seq}, {@code epoch}),
 * {@code agentchat:{#c}:log}, topic {@code agentchat:{#c}:msg}, and its server notices, neither
 * numbered nor kept, on {@code agentchat:{#c}:notice}. Nothing here is persisted by Redis
 * if it runs as docs/cluster.md says ({@code --save '' --appendonly no}).
 */
public final class RedisCluster implements Cluster {
    private static final Logger LOG = LoggerFactory.getLogger("agentchat.cluster");
    private static final SecureRandom RANDOM = new SecureRandom();
    private static final String PATTERN = "agentchat:{#*}:msg";
    /** The channels' notices, on the same connection: a relay hears them in Redis's order with the messages. */
    private static final String NOTICES = "agentchat:{#*}:notice";
    /** seq and epoch outlive a quiet day; past that a channel starts a new epoch, which clients are told. */
    private static final long META_TTL_MILLIS = Duration.ofDays(1).toMillis();

    /** KEYS: meta, log. ARGV: candidate epoch, prefix, suffix, max kept, history age ms, meta ttl ms, topic. Returns {seq, epoch}. */
    private static final String POST = """
            redis.call('HSETNX', KEYS[1], 'epoch', ARGV[1])
            local epoch = redis.call('HGET', KEYS[1], 'epoch')
            local seq = redis.call('HINCRBY', KEYS[1], 'seq', 1)
            redis.call('PEXPIRE', KEYS[1], ARGV[6])
            local text = ARGV[2] .. '"seq":' .. seq .. ',"epoch":"' .. epoch .. '"' .. ARGV[3]
            local max = tonumber(ARGV[4])
            if max > 0 and tonumber(ARGV[5]) > 0 then
              redis.call('RPUSH', KEYS[2], text)
              redis.call('LTRIM', KEYS[2], -max, -1)
              redis.call('PEXPIRE', KEYS[2], ARGV[5])
            else
              redis.call('DEL', KEYS[2])
            end
            redis.call('PUBLISH', ARGV[7], seq .. ' ' .. epoch .. ' ' .. text)
            return {seq, epoch}
            """;

    /** KEYS: meta. ARGV: candidate epoch, meta ttl ms. Returns {epoch, seq}. */
    private static final String OPEN = """
            redis.call('HSETNX', KEYS[1], 'epoch', ARGV[1])
            redis.call('PEXPIRE', KEYS[1], ARGV[2])
            return {redis.call('HGET', KEYS[1], 'epoch'), tonumber(redis.call('HGET', KEYS[1], 'seq') or '0')}
            """;

    /**
     * KEYS: meta, log. ARGV: epoch, since, upTo, max bytes. Returns {0} (not all kept, or more than
     * max bytes of them: measured here, so a refused resume never moves the texts over the wire) or
     * {1, texts...}.
     */
    private static final String AFTER = """
            if redis.call('HGET', KEYS[1], 'epoch') ~= ARGV[1] then return {0} end
            local last = tonumber(redis.call('HGET', KEYS[1], 'seq') or '0')
            local since = tonumber(ARGV[2])
            local upTo = tonumber(ARGV[3])
            if upTo > last or since > upTo then return {0} end
            if since == upTo then return {1} end
            local first = last - redis.call('LLEN', KEYS[2]) + 1
            if since + 1 < first then return {0} end
            local texts = redis.call('LRANGE', KEYS[2], since + 1 - first, upTo - first)
            local size = 0
            for _, text in ipairs(texts) do
              size = size + #text
              if size > tonumber(ARGV[4]) then return {0} end
            end
            table.insert(texts, 1, 1)
            return texts
            """;

    /**
     * KEYS: meta, log. ARGV: epoch, since. Returns {} (no such channel) or {epoch, first, texts...}:
     * what the history keeps after since (from the oldest kept, if since is older or of another
     * epoch), up to the newest.
     */
    private static final String TAIL = """
            local epoch = redis.call('HGET', KEYS[1], 'epoch')
            if not epoch then return {} end
            local last = tonumber(redis.call('HGET', KEYS[1], 'seq') or '0')
            local from = tonumber(ARGV[2]) + 1
            if epoch ~= ARGV[1] then from = 1 end
            local first = last - redis.call('LLEN', KEYS[2]) + 1
            if from < first then from = first end
            if from > last then return {epoch, from} end
            local texts = redis.call('LRANGE', KEYS[2], from - first, last - first)
            table.insert(texts, 1, from)
            table.insert(texts, 1, epoch)
            return texts
            """;

    private final RedisClient client;
    private final AtomicInteger resubscriptions = new AtomicInteger();
    /**
     * Runs everything the main Pub/Sub connection brings (messages, notices, roster changes,
     * resubscriptions), in Redis's order, and the answers to {@link #tail}. Never Lettuce's event
     * loop: that thread also reads the command connection's replies when Netty gave both connections
     * the same loop (docs/cluster.md, "Known limits"), and a JOIN waits for one of those replies
     * while it holds the channel's lock that a delivery takes.
     */
    private final HandOffThread arrivals = new HandOffThread("cluster", "cluster message");
    /** Set when {@link #arrivals} dropped a message: every channel fetches what it missed, as after a resubscription. */
    private final AtomicBoolean dropped = new AtomicBoolean();
    private final StatefulRedisConnection<String, String> commands;
    private final StatefulRedisPubSubConnection<String, String> pubSub;
    private final RecoveryConfig recovery;
    private final LuaScript post;
    private final LuaScript open;
    private final LuaScript after;
    private final LuaScript tail;
    private final RedisChannelDirectory channels;
    private final RedisRoster roster;
    private final RedisDirectory directory;
    private final RedisAddressConnections connections;
    private final RedisMinuteCounters minuteCounters;
    private final RedisMarketExchange market;
    private final RedisRatingsLedger ratings;
    private final RedisSkillBoard skills;
    private final RedisPendingSlots pendingSlots;

    private RedisCluster(RedisClient client, StatefulRedisConnection<String, String> commands,
                         StatefulRedisPubSubConnection<String, String> pubSub, RecoveryConfig recovery, Duration relayTtl) {
        this.client = client;
        this.commands = commands;
        this.pubSub = pubSub;
        this.recovery = recovery;
        this.post = new LuaScript(commands, POST, ScriptOutputType.MULTI);
        this.open = new LuaScript(commands, OPEN, ScriptOutputType.MULTI);
        this.after = new LuaScript(commands, AFTER, ScriptOutputType.MULTI);
        this.tail = new LuaScript(commands, TAIL, ScriptOutputType.MULTI);
        this.channels = new RedisChannelDirectory(commands);
        this.roster = new RedisRoster(commands, pubSub, arrivals, relayTtl);
        this.directory = new RedisDirectory(client, commands, recovery);
        this.connections = new RedisAddressConnections(commands, roster.relayId());
        this.minuteCounters = new RedisMinuteCounters(commands);
        this.market = new RedisMarketExchange(client, commands);
        this.ratings = new RedisRatingsLedger(client, commands);
        this.skills = new RedisSkillBoard(client, commands);
        this.pendingSlots = new RedisPendingSlots(commands, roster.relayId());
    }

    /**
     * Connects to the cluster's Redis, or throws {@link ClusterUnavailableException} with one line saying
     * why, within a few seconds: a relay that cannot reach its cluster does not start.
     *
     * @param relayTtl how long this relay's heartbeat lives (docs/cluster.md, "Presence")
     */
    public static RedisCluster connect(URI uri, RecoveryConfig recovery, Duration relayTtl) {
        RedisURI redis = RedisURI.create(uri);
        redis.setTimeout(Duration.ofSeconds(5));
        RedisClient client = RedisClient.create(redis);
        client.setOptions(ClientOptions.builder()
                .socketOptions(SocketOptions.builder().connectTimeout(Duration.ofSeconds(3)).build())
                // While Redis is away, commands fail at once instead of queueing without bound.
                .disconnectedBehavior(ClientOptions.DisconnectedBehavior.REJECT_COMMANDS)
                .build());
        StatefulRedisConnection<String, String> commands = null;
        try {
            commands = client.connect();
            StatefulRedisPubSubConnection<String, String> pubSub = client.connectPubSub();
            return new RedisCluster(client, commands, pubSub, recovery, relayTtl);
        } catch (RuntimeException e) {
            if (commands != null) {
                commands.close();
            }
            client.shutdown(Duration.ZERO, Duration.ofSeconds(2));
            throw new ClusterUnavailableException("cannot reach the cluster's Redis at " + safe(uri) + ": " + e.getMessage(), e);
        }
    }

    /** The URI without its password, for messages and logs. */
    static String safe(URI uri) {
        return uri.getScheme() + "://" + uri.getHost() + (uri.getPort() < 0 ? "" : ":" + uri.getPort());
    }

    @Override
    public void subscribe(Listener listener) {
        pubSub.addListener(new RedisPubSubAdapter<>() {
            @Override
            public void message(String pattern, String topic, String message) {
                if (PATTERN.equals(pattern)) { // the roster's topics share this connection
                    handOff(listener, () -> deliver(listener, topic, message));
                } else if (NOTICES.equals(pattern)) {
                    handOff(listener, () -> notice(listener, topic, message));
                }
            }

            @Override
            public void psubscribed(String pattern, long count) {
                // Also after every reconnect: Lettuce subscribes the connection again by itself.
                if (PATTERN.equals(pattern) && resubscriptions.getAndIncrement() > 0) {
                    LOG.info("cluster subscription restored: fetching what was missed");
                    handOff(listener, listener::resubscribed);
                }
            }
        });
        pubSub.sync().psubscribe(PATTERN, NOTICES);
    }

    /**
     * To {@link #arrivals}, in order. Past its bound a message is dropped; the next one to run first
     * has every channel fetch what it missed from the history, as after a resubscription, so a
     * dropped message comes late, not never (unless the history no longer keeps it, which is logged).
     * A dropped notice is lost, as one published while the subscription is down.
     */
    private void handOff(Listener listener, Runnable task) {
        if (!arrivals.execute(() -> {
            if (dropped.compareAndSet(true, false)) {
                listener.resubscribed();
            }
            task.run();
        })) {
            dropped.set(true);
        }
    }

    /** The frame as sent to readers, on "agentchat:{#c}:notice"; a failure is logged, never thrown at Lettuce. */
    private static void notice(Listener listener, String topic, String message) {
        try {
            listener.noticed(topic.substring(topic.indexOf('{') + 1, topic.lastIndexOf('}')), message);
        } catch (RuntimeException e) {
            LOG.error("cluster notice failed topic={}", topic, e);
        }
    }

    @Override
    public void notice(String channel, String text) {
        try {
            commands.async().publish(RedisKeys.notices(channel), text).whenComplete((relays, e) -> {
                if (e != null) {
                    LOG.warn("cluster notice lost channel={}: {}", channel, e.toString());
                }
            });
        } catch (RuntimeException e) {
            LOG.warn("cluster notice lost channel={}: {}", channel, e.toString());
        }
    }

    /** "seq epoch text" on "agentchat:{#c}:msg"; a malformed one is logged and dropped, never thrown at Lettuce. */
    private static void deliver(Listener listener, String topic, String message) {
        try {
            int open = topic.indexOf('{');
            int close = topic.lastIndexOf('}');
            int first = message.indexOf(' ');
            int second = message.indexOf(' ', first + 1);
            listener.delivered(topic.substring(open + 1, close), Long.parseLong(message.substring(0, first)),
                    message.substring(first + 1, second), message.substring(second + 1));
        } catch (RuntimeException e) {
            LOG.error("cluster delivery failed topic={}", topic, e);
        }
    }

    @Override
    public ChannelPosition open(String channel) {
        List<Object> answer = RedisChannelDirectory.answer(() -> open.call(commands, new String[] {RedisKeys.meta(channel)},
                newEpoch(), Long.toString(META_TTL_MILLIS)));
        return new ChannelPosition((Long) answer.get(1), (String) answer.get(0));
    }

    @Override
    public CompletableFuture<ChannelPosition> post(String channel, String prefix, String suffix) {
        String[] keys = {RedisKeys.meta(channel), RedisKeys.log(channel)};
        String[] args = {newEpoch(), prefix, suffix, Integer.toString(recovery.historyMessages()),
                Long.toString(recovery.historyAge().toMillis()), Long.toString(META_TTL_MILLIS), RedisKeys.topic(channel)};
        return post.<List<Object>>callAsync(commands, keys, args)
                .exceptionallyCompose(e -> CompletableFuture.failedFuture(
                        e.getCause() instanceof RedisCommandTimeoutException || e instanceof RedisCommandTimeoutException
                                ? new ClusterUnansweredException(e) : e))
                .whenComplete((answer, e) -> {
                    if (e != null) {
                        LOG.warn("cluster post failed channel={}: {}", channel, e.toString());
                    }
                })
                .thenApply(answer -> new ChannelPosition((Long) answer.get(0), (String) answer.get(1)));
    }

    @Override
    public List<String> after(String channel, ChannelPosition since, long upTo, long maxChars) {
        List<Object> answer = after.call(commands, new String[] {RedisKeys.meta(channel), RedisKeys.log(channel)}, since.epoch(), Long.toString(since.seq()), Long.toString(upTo),
                Long.toString(maxChars));
        if (answer.isEmpty() || !Long.valueOf(1).equals(answer.get(0))) {
            return null;
        }
        List<String> texts = new ArrayList<>(answer.size() - 1);
        for (Object text : answer.subList(1, answer.size())) {
            texts.add((String) text);
        }
        return texts;
    }

    @Override
    public CompletableFuture<Tail> tail(String channel, ChannelPosition since) {
        return tail.<List<Object>>callAsync(commands, new String[] {RedisKeys.meta(channel), RedisKeys.log(channel)},
                since.epoch(), Long.toString(since.seq())).thenApply(answer -> {
                    if (answer.isEmpty()) {
                        return null;
                    }
                    List<String> texts = new ArrayList<>(answer.size() - 2);
                    for (Object text : answer.subList(2, answer.size())) {
                        texts.add((String) text);
                    }
                    return new Tail((String) answer.get(0), (Long) answer.get(1), texts);
                })
                // Completed on arrivals, answer or failure, never on Lettuce's loop: the caller hands the
                // messages out under the channel's lock. At most one per channel at a time, and one lost
                // would leave its channel waiting for good: never dropped.
                .whenCompleteAsync((fetched, failure) -> { }, arrivals::executeAnyway);
    }

    @Override
    public ChannelDirectory channels() {
        return channels;
    }

    @Override
    public Roster roster() {
        return roster;
    }

    @Override
    public MinuteCounters minuteCounters() {
        return minuteCounters;
    }

    @Override
    public AddressConnections connections() {
        return connections;
    }

    @Override
    public AgentDirectory directory() {
        return directory;
    }

    @Override
    public MarketExchange market() {
        return market;
    }

    @Override
    public RatingsLedger ratings() {
        return ratings;
    }

    @Override
    public SkillBoard skills() {
        return skills;
    }

    @Override
    public PendingSlots pendingSlots() {
        return pendingSlots;
    }

    @Override
    public void close() {
        skills.close();
        ratings.close();
        market.close();
        roster.close();
        directory.close();
        pubSub.close();
        arrivals.close();
        commands.close();
        client.shutdown(Duration.ZERO, Duration.ofSeconds(2));
    }

    private static String newEpoch() {
        byte[] bytes = new byte[6];
        RANDOM.nextBytes(bytes);
        return HexFormat.of().formatHex(bytes);
    }
}
