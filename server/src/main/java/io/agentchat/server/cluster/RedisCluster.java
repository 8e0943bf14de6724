package io.agentchat.server.cluster;

import io.agentchat.protocol.ChannelPosition;
import io.agentchat.server.core.RecoveryConfig;
import io.lettuce.core.ClientOptions;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisNoScriptException;
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
import java.util.concurrent.CompletionException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The cluster over one Redis (Lettuce): each channel's seq and epoch in a hash, its recovery
 * history in a list capped to the history size with a TTL of the history age, and its messages on
 * a Pub/Sub topic. One Lua script numbers, keeps and publishes a message atomically, so Redis's
 * order is the channel's order on every relay (as Centrifugo's Redis engine does). Keys, for
 * channel {@code #c}: {@code agentchat:{#c}:meta} (fields {@code seq}, {@code epoch}),
 * {@code agentchat:{#c}:log}, topic {@code agentchat:{#c}:msg}. Nothing here is persisted by Redis
 * if it runs as docs/cluster.md says ({@code --save '' --appendonly no}).
 */
public final class RedisCluster implements Cluster {
    private static final Logger LOG = LoggerFactory.getLogger("agentchat.cluster");
    private static final SecureRandom RANDOM = new SecureRandom();
    private static final String PATTERN = "agentchat:{#*}:msg";
    /** seq and epoch outlive a quiet day; past that a channel starts a new epoch, which clients are told. */
    private static final long META_TTL_MILLIS = Duration.ofDays(1).toMillis();

    /** KEYS: meta, log. ARGV: candidate epoch, prefix, suffix, max kept, history age ms, meta ttl ms, topic. */
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
            return seq
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

    private final RedisClient client;
    private final StatefulRedisConnection<String, String> commands;
    private final StatefulRedisPubSubConnection<String, String> pubSub;
    private final RecoveryConfig recovery;
    private final String postSha;
    private final String openSha;
    private final String afterSha;
    private final RedisDirectory directory;

    private RedisCluster(RedisClient client, StatefulRedisConnection<String, String> commands,
                         StatefulRedisPubSubConnection<String, String> pubSub, RecoveryConfig recovery) {
        this.client = client;
        this.commands = commands;
        this.pubSub = pubSub;
        this.recovery = recovery;
        this.postSha = commands.sync().scriptLoad(POST);
        this.openSha = commands.sync().scriptLoad(OPEN);
        this.afterSha = commands.sync().scriptLoad(AFTER);
        this.directory = new RedisDirectory(client, commands, recovery);
    }

    /**
     * Connects to the cluster's Redis, or throws {@link ClusterUnavailableException} with one line saying
     * why, within a few seconds: a relay that cannot reach its cluster does not start.
     */
    public static RedisCluster connect(URI uri, RecoveryConfig recovery) {
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
            return new RedisCluster(client, commands, pubSub, recovery);
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
                deliver(listener, topic, message);
            }
        });
        pubSub.sync().psubscribe(PATTERN);
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
        List<Object> answer = run(openSha, OPEN, ScriptOutputType.MULTI, new String[] {meta(channel)},
                newEpoch(), Long.toString(META_TTL_MILLIS));
        return new ChannelPosition((Long) answer.get(1), (String) answer.get(0));
    }

    @Override
    public void post(String channel, String prefix, String suffix) {
        String[] keys = {meta(channel), log(channel)};
        String[] args = {newEpoch(), prefix, suffix, Integer.toString(recovery.historyMessages()),
                Long.toString(recovery.historyAge().toMillis()), Long.toString(META_TTL_MILLIS), topic(channel)};
        commands.async().<Long>evalsha(postSha, ScriptOutputType.INTEGER, keys, args)
                .exceptionallyCompose(e -> unknownScript(e)
                        ? commands.async().<Long>eval(POST, ScriptOutputType.INTEGER, keys, args)
                        : CompletableFuture.failedFuture(e))
                .exceptionally(e -> {
                    LOG.warn("cluster post failed channel={}: {}", channel, e.toString());
                    return null;
                });
    }

    /**
     * A script by its digest, or by its text when Redis no longer knows it: a Redis restarted without
     * persistence (as docs/cluster.md asks) comes back with an empty script cache, and EVAL puts the
     * script back for every relay's next EVALSHA.
     */
    private <T> T run(String sha, String script, ScriptOutputType type, String[] keys, String... args) {
        try {
            return commands.sync().evalsha(sha, type, keys, args);
        } catch (RedisNoScriptException e) {
            return commands.sync().eval(script, type, keys, args);
        }
    }

    private static boolean unknownScript(Throwable failure) {
        Throwable cause = failure instanceof CompletionException && failure.getCause() != null ? failure.getCause() : failure;
        return cause instanceof RedisNoScriptException;
    }

    @Override
    public List<String> after(String channel, ChannelPosition since, long upTo, long maxChars) {
        List<Object> answer = run(afterSha, AFTER, ScriptOutputType.MULTI,
                new String[] {meta(channel), log(channel)}, since.epoch(), Long.toString(since.seq()), Long.toString(upTo),
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
    public AgentDirectory directory() {
        return directory;
    }

    @Override
    public void close() {
        directory.close();
        pubSub.close();
        commands.close();
        client.shutdown(Duration.ZERO, Duration.ofSeconds(2));
    }

    private static String meta(String channel) {
        return "agentchat:{" + channel + "}:meta";
    }

    private static String log(String channel) {
        return "agentchat:{" + channel + "}:log";
    }

    private static String topic(String channel) {
        return "agentchat:{" + channel + "}:msg";
    }

    private static String newEpoch() {
        byte[] bytes = new byte[6];
        RANDOM.nextBytes(bytes);
        return HexFormat.of().formatHex(bytes);
    }
}
