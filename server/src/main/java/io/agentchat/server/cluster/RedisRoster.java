package io.agentchat.server.cluster;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.lettuce.core.ScriptOutputType;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.pubsub.RedisPubSubAdapter;
import io.lettuce.core.pubsub.StatefulRedisPubSubConnection;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HexFormat;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The shared channels' members in Redis (docs/cluster.md, "Presence"). For channel {@code #c}, the
 * hash {@code agentchat:{#c}:roster} maps each member's id to its entry as JSON, beside two fields
 * no id can be: {@code #e} (the roster's epoch, new once Redis lost it) and {@code #v} (its change
 * count). One script writes a change and publishes it on the topic {@code agentchat:{#c}:presence} atomically,
 * so the versions follow Redis's order. Relays are alive while their score in the sorted set
 * {@code agentchat:relays} (their heartbeat's expiry, by Redis's clock) is in the future.
 *
 * <p>Every {@code ttl/3} a thread of its own beats, then reads each channel with one script that
 * first removes, publishing each removal once, the members of relays whose heartbeat has lapsed.
 * Those calls block that thread only; the writes of joins and leaves never block.
 */
final class RedisRoster implements Roster, AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger("agentchat.cluster");
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final SecureRandom RANDOM = new SecureRandom();
    static final String PATTERN = "agentchat:{#*}:presence";
    static final String RELAYS = "agentchat:relays";

    /** KEYS: relays. ARGV: relay id, ttl ms. Returns the relays alive. */
    private static final String BEAT = LuaScript.NOW + """
            redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now)
            redis.call('ZADD', KEYS[1], now + tonumber(ARGV[2]), ARGV[1])
            redis.call('PEXPIRE', KEYS[1], ARGV[2])
            return redis.call('ZCARD', KEYS[1])
            """;

    /**
     * KEYS: roster. ARGV: op (put, update, remove), id, entry JSON (put, update) or session token
     * (remove), candidate epoch, roster ttl ms, topic. An update or remove applies only to the entry
     * of the same session; a put or update that changes nothing publishes nothing. Returns 1 if
     * something changed. Right after Redis restarts a write can overtake one sent just before it
     * (the earlier one's EVALSHA failed with NOSCRIPT and is sent again as EVAL after the later one
     * found the script loaded); what that leaves wrong, the next read of the channel puts right.
     */
    private static final String CHANGE = """
            local op, id = ARGV[1], ARGV[2]
            local old = redis.call('HGET', KEYS[1], id)
            if op ~= 'put' then
              if not old then return 0 end
              local session = op == 'remove' and ARGV[3] or cjson.decode(ARGV[3]).s
              local readable, entry = pcall(cjson.decode, old)
              if not readable or entry.s ~= session then return 0 end
            end
            if op ~= 'remove' and old == ARGV[3] then return 0 end
            redis.call('HSETNX', KEYS[1], '#e', ARGV[4])
            local event
            if op == 'remove' then
              redis.call('HDEL', KEYS[1], id)
              event = 'del ' .. id
            else
              redis.call('HSET', KEYS[1], id, ARGV[3])
              event = 'put ' .. ARGV[3]
            end
            local version = redis.call('HINCRBY', KEYS[1], '#v', 1)
            redis.call('PEXPIRE', KEYS[1], ARGV[5])
            redis.call('PUBLISH', ARGV[6], redis.call('HGET', KEYS[1], '#e') .. ' ' .. version .. ' ' .. event)
            return 1
            """;

    /**
     * KEYS: roster, relays. ARGV: roster ttl ms, topic, relay to forget ('' for none). Removes, and
     * publishes the removal of, every member of a relay not alive (or of the relay to forget), then
     * returns {epoch, version, entries...}; {'', 0} when Redis holds no roster for the channel. An
     * entry that is not JSON (no relay writes one) is removed too, rather than failing every read.
     */
    private static final String READ = LuaScript.NOW + """
            local epoch = redis.call('HGET', KEYS[1], '#e')
            if not epoch then return {'', 0} end
            local all = redis.call('HGETALL', KEYS[1])
            local kept = {}
            for i = 1, #all, 2 do
              local id, value = all[i], all[i + 1]
              if string.sub(id, 1, 1) ~= '#' then
                local readable, entry = pcall(cjson.decode, value)
                local relay = readable and type(entry) == 'table' and entry.r
                local expires = type(relay) == 'string' and redis.call('ZSCORE', KEYS[2], relay)
                if expires and relay ~= ARGV[3] and tonumber(expires) > now then
                  table.insert(kept, value)
                else
                  redis.call('HDEL', KEYS[1], id)
                  local version = redis.call('HINCRBY', KEYS[1], '#v', 1)
                  redis.call('PUBLISH', ARGV[2], epoch .. ' ' .. version .. ' del ' .. id)
                end
              end
            end
            redis.call('PEXPIRE', KEYS[1], ARGV[1])
            local answer = {epoch, tonumber(redis.call('HGET', KEYS[1], '#v') or '0')}
            for _, value in ipairs(kept) do table.insert(answer, value) end
            return answer
            """;

    private final StatefulRedisConnection<String, String> commands;
    private final StatefulRedisPubSubConnection<String, String> pubSub;
    private final HandOffThread arrivals;
    private final String relayId = newId();
    private final Duration relayTtl;
    private final long rosterTtlMillis;
    private final LuaScript beat;
    private final LuaScript change;
    private final LuaScript read;
    private final ScheduledExecutorService timer;
    private final Set<String> channels = ConcurrentHashMap.newKeySet();
    private volatile Listener listener;
    private volatile int relaysSeen;
    private volatile boolean reachable = true;

    /**
     * The connections and {@code arrivals} (where the changes heard are handled, in order with the
     * channels' messages on the same connection) stay the caller's ({@link RedisCluster});
     * {@link #close()} stops only what this started.
     */
    RedisRoster(StatefulRedisConnection<String, String> commands, StatefulRedisPubSubConnection<String, String> pubSub,
                HandOffThread arrivals, Duration relayTtl) {
        this.commands = commands;
        this.pubSub = pubSub;
        this.arrivals = arrivals;
        this.relayTtl = relayTtl;
        // A roster outlives a few missed beats of every relay, not more: nothing is left once no relay runs.
        this.rosterTtlMillis = Math.max(relayTtl.toMillis() * 4, 10_000);
        this.beat = new LuaScript(commands, BEAT, ScriptOutputType.INTEGER);
        this.change = new LuaScript(commands, CHANGE, ScriptOutputType.INTEGER);
        this.read = new LuaScript(commands, READ, ScriptOutputType.MULTI);
        this.timer = Executors.newSingleThreadScheduledExecutor(runnable -> {
            Thread thread = new Thread(runnable, "agentchat-cluster-roster");
            thread.setDaemon(true);
            thread.setUncaughtExceptionHandler((t, e) -> LOG.error("cluster roster task failed", e));
            return thread;
        });
    }

    @Override
    public String relayId() {
        return relayId;
    }

    @Override
    public Duration relayTtl() {
        return relayTtl;
    }

    @Override
    public void start(Collection<String> shared, Listener heard) {
        this.channels.addAll(shared);
        this.listener = heard;
        pubSub.addListener(new RedisPubSubAdapter<>() {
            @Override
            public void message(String pattern, String topic, String message) {
                if (PATTERN.equals(pattern)) {
                    // Off Lettuce's loop (it takes the channel's lock); one dropped, the next read puts right.
                    arrivals.execute(() -> heard(topic, message));
                }
            }
        });
        pubSub.sync().psubscribe(PATTERN);
        long period = Math.max(100, relayTtl.toMillis() / 3);
        try {
            // The first view of every channel before the relay serves; each call is bounded by Redis's 5 s timeout.
            timer.submit(this::beatAndRead).get(30, TimeUnit.SECONDS);
        } catch (Exception e) {
            LOG.warn("cluster roster: first read failed: {}", e.toString());
        }
        timer.scheduleWithFixedDelay(this::beatAndRead, period, period, TimeUnit.MILLISECONDS);
    }

    /** "epoch version put json" or "epoch version del id"; a malformed one is logged and dropped, never thrown at Lettuce. */
    private void heard(String topic, String message) {
        try {
            String[] parts = message.split(" ", 4);
            long version = Long.parseLong(parts[1]);
            RosterChange change = "put".equals(parts[2])
                    ? new RosterChange(parts[0], version, entry(parts[3]), null)
                    : new RosterChange(parts[0], version, null, parts[3]);
            listener.changed(channelOf(topic), change);
        } catch (RuntimeException e) {
            LOG.error("cluster roster change dropped topic={}", topic, e);
        }
    }

    /** One beat, then one read of each channel; a Redis that does not answer is logged once, until it does. */
    private void beatAndRead() {
        try {
            Long alive = beat.call(commands, new String[] {RELAYS}, relayId,
                    Long.toString(relayTtl.toMillis()));
            relaysSeen = alive.intValue();
            if (!reachable) {
                LOG.info("cluster redis reachable again relay={}", relayId);
            }
            reachable = true;
        } catch (RuntimeException e) {
            if (reachable) {
                LOG.warn("cluster redis unreachable relay={}: {}", relayId, e.toString());
            }
            reachable = false;
            return;
        }
        for (String channel : channels) {
            try {
                listener.read(channel, read(channel, ""));
            } catch (RuntimeException e) {
                LOG.warn("cluster roster read failed channel={}: {}", channel, e.toString());
            }
        }
    }

    private RosterView read(String channel, String forget) {
        List<Object> answer = read.call(commands, new String[] {key(channel), RELAYS},
                Long.toString(rosterTtlMillis), topic(channel), forget);
        List<RosterEntry> entries = new ArrayList<>(answer.size() - 2);
        for (Object value : answer.subList(2, answer.size())) {
            entries.add(entry((String) value));
        }
        return new RosterView((String) answer.get(0), (Long) answer.get(1), entries);
    }

    @Override
    public void put(String channel, RosterEntry entry) {
        send(channel, "put", entry.id(), json(entry));
    }

    @Override
    public void track(String channel) {
        if (channels.add(channel)) {
            try {
                listener.read(channel, read(channel, ""));
            } catch (RuntimeException e) {
                LOG.warn("cluster roster read failed channel={}: {}", channel, e.toString());
            }
        }
    }

    @Override
    public void retain(Collection<String> used) {
        channels.retainAll(Set.copyOf(used));
    }

    @Override
    public void update(String channel, RosterEntry entry) {
        send(channel, "update", entry.id(), json(entry));
    }

    @Override
    public void remove(String channel, String id, String session) {
        send(channel, "remove", id, session);
    }

    private void send(String channel, String op, String id, String value) {
        change.<Long>callAsync(commands, new String[] {key(channel)}, op, id, value, newId(),
                        Long.toString(rosterTtlMillis), topic(channel))
                .exceptionally(e -> {
                    // The next read of the channel puts it right (docs/cluster.md, "Presence").
                    LOG.warn("cluster roster {} failed channel={}: {}", op, channel, e.toString());
                    return null;
                });
    }

    @Override
    public ClusterStatus status() {
        return new ClusterStatus(relayId, relaysSeen, reachable);
    }

    /**
     * Stops the beat, then takes this relay's members out of every channel (the others hear them
     * leave at once, not a heartbeat later) and its heartbeat out of the relays.
     */
    @Override
    public void close() {
        timer.shutdownNow();
        try {
            timer.awaitTermination(2, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        try {
            for (String channel : channels) {
                read(channel, relayId);
            }
            commands.sync().zrem(RELAYS, relayId);
        } catch (RuntimeException e) {
            LOG.warn("cluster roster: could not take this relay's members out: {}", e.toString());
        }
    }

    private static String json(RosterEntry entry) {
        ObjectNode node = JSON.createObjectNode();
        node.put("id", entry.id());
        node.put("n", entry.name());
        node.put("p", entry.presence());
        node.put("t", entry.statusText());
        node.put("r", entry.relay());
        node.put("s", entry.session());
        return node.toString();
    }

    private static RosterEntry entry(String json) {
        try {
            JsonNode node = JSON.readTree(json);
            return new RosterEntry(node.path("id").asText(), text(node, "n"), text(node, "p"), text(node, "t"),
                    node.path("r").asText(), node.path("s").asText());
        } catch (java.io.IOException e) {
            throw new IllegalArgumentException("not a roster entry: " + e.getMessage(), e);
        }
    }

    private static String text(JsonNode node, String field) {
        JsonNode value = node.get(field);
        return value == null || value.isNull() ? null : value.asText();
    }

    private static String channelOf(String topic) {
        return topic.substring(topic.indexOf('{') + 1, topic.lastIndexOf('}'));
    }

    private static String key(String channel) {
        return "agentchat:{" + channel + "}:roster";
    }

    private static String topic(String channel) {
        return "agentchat:{" + channel + "}:presence";
    }

    private static String newId() {
        byte[] bytes = new byte[6];
        RANDOM.nextBytes(bytes);
        return HexFormat.of().formatHex(bytes);
    }
}
