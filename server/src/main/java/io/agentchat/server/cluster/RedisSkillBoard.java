package io.agentchat.server.cluster;

import io.lettuce.core.RedisClient;
import io.lettuce.core.ScriptOutputType;
import io.lettuce.core.api.StatefulRedisConnection;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@link SkillBoard} over the cluster's Redis: {@code agentchat:skills:<agent>} holds an agent's
 * registration with the registry's TTL, the sorted set {@code agentchat:skills} indexes them by
 * expiry (Redis's clock) and bounds their number, and each registration is published on the topic
 * {@code agentchat:skills} to every relay.
 */
final class RedisSkillBoard implements SkillBoard, AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger("agentchat.cluster");
    private static final String INDEX = "agentchat:skills";
    private static final String TOPIC = "agentchat:skills";
    /** KEYS: index, entry. ARGV: agent, registration, ttl ms, max agents, topic. */
    private static final String PUT = LuaScript.NOW + """
            redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now)
            if not redis.call('ZSCORE', KEYS[1], ARGV[1]) and redis.call('ZCARD', KEYS[1]) >= tonumber(ARGV[4]) then
              return 0
            end
            redis.call('SET', KEYS[2], ARGV[2], 'PX', ARGV[3])
            redis.call('ZADD', KEYS[1], now + tonumber(ARGV[3]), ARGV[1])
            redis.call('PEXPIRE', KEYS[1], ARGV[3])
            redis.call('PUBLISH', ARGV[5], ARGV[2])
            return 1
            """;
    /** KEYS: index. The registrations alive. */
    private static final String ALL = LuaScript.NOW + """
            redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now)
            local out = {}
            for _, agent in ipairs(redis.call('ZRANGE', KEYS[1], 0, -1)) do
              local entry = redis.call('GET', KEYS[1] .. ':' .. agent)
              if entry then table.insert(out, entry) end
            end
            return out
            """;

    private final StatefulRedisConnection<String, String> commands;
    private final LuaScript put;
    private final LuaScript all;
    private final TopicSubscription registrations;

    RedisSkillBoard(RedisClient client, StatefulRedisConnection<String, String> commands) {
        this.commands = commands;
        this.put = new LuaScript(commands, PUT, ScriptOutputType.INTEGER);
        this.all = new LuaScript(commands, ALL, ScriptOutputType.MULTI);
        this.registrations = new TopicSubscription(client, TOPIC, "skills", "skill registration");
    }

    @Override
    public List<String> listen(Listener listener) {
        // After a resubscription, what was published meanwhile is read from Redis, in line with the
        // live registrations that follow.
        registrations.start(listener::registered, () -> all().forEach(listener::registered));
        return all();
    }

    /** Every registration Redis keeps. */
    private List<String> all() {
        List<Object> entries = all.call(commands, new String[] {INDEX});
        List<String> registrations = new ArrayList<>(entries.size());
        for (Object entry : entries) {
            registrations.add((String) Objects.requireNonNull(entry));
        }
        return registrations;
    }

    @Override
    public boolean put(String agent, String registration, long ttlMillis, int max) {
        Long kept = put.call(commands, new String[] {INDEX, INDEX + ":" + agent}, agent, registration,
                Long.toString(Math.max(1, ttlMillis)), Integer.toString(max), TOPIC);
        return kept != null && kept == 1;
    }

    @Override
    public void close() {
        registrations.close();
    }
}
