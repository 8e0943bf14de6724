package io.agentchat.server.cluster;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.lettuce.core.RedisClient;
import io.lettuce.core.ScriptOutputType;
import io.lettuce.core.api.StatefulRedisConnection;
import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@link RatingsLedger} in one Redis hash, {@code agentchat:ratings} (field: agent id, value: its
 * entry), with no TTL: the cluster's ratings outlive every relay, and Redis restarting empty is
 * repaired by {@link #fill} from the relays' snapshots. Each change is published on the topic
 * {@code agentchat:ratings} as a JSON array {@code [agent, entry, agent, entry, ...]}.
 */
final class RedisRatingsLedger implements RatingsLedger, AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger("agentchat.cluster");
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String KEY = "agentchat:ratings";
    private static final String TOPIC = "agentchat:ratings";
    /**
     * KEYS: ratings. ARGV: max agents, topic, then (agent, expected or '', new entry) per agent. The
     * change is published in the same script, so relays hear changes in the order they were made.
     */
    private static final String REPLACE = """
            local added = 0
            for i = 3, #ARGV, 3 do
              local current = redis.call('HGET', KEYS[1], ARGV[i]) or ''
              if current ~= ARGV[i + 1] then return 0 end
              if current == '' then added = added + 1 end
            end
            if redis.call('HLEN', KEYS[1]) + added > tonumber(ARGV[1]) then return -1 end
            local changed = {}
            for i = 3, #ARGV, 3 do
              redis.call('HSET', KEYS[1], ARGV[i], ARGV[i + 2])
              table.insert(changed, ARGV[i])
              table.insert(changed, ARGV[i + 2])
            end
            redis.call('PUBLISH', ARGV[2], cjson.encode(changed))
            return 1
            """;
    /** KEYS: ratings. ARGV: max agents, then agent, entry, agent, entry, ... Returns how many were missing and set. */
    private static final String FILL = """
            local set = 0
            for i = 2, #ARGV, 2 do
              if redis.call('HLEN', KEYS[1]) >= tonumber(ARGV[1]) then return set end
              set = set + redis.call('HSETNX', KEYS[1], ARGV[i], ARGV[i + 1])
            end
            return set
            """;

    private final StatefulRedisConnection<String, String> commands;
    private final LuaScript replace;
    private final LuaScript fill;
    private final TopicSubscription changes;

    RedisRatingsLedger(RedisClient client, StatefulRedisConnection<String, String> commands) {
        this.commands = commands;
        this.replace = new LuaScript(commands, REPLACE, ScriptOutputType.INTEGER);
        this.fill = new LuaScript(commands, FILL, ScriptOutputType.INTEGER);
        this.changes = new TopicSubscription(client, TOPIC, "ratings", "ratings change");
    }

    @Override
    public void listen(Listener listener) {
        changes.start(message -> listener.changed(decode(message)), listener::resubscribed);
    }

    private static Map<String, String> decode(String message) {
        Map<String, String> entries = new LinkedHashMap<>();
        try {
            JsonNode changed = JSON.readTree(message);
            for (int i = 0; i + 1 < changed.size(); i += 2) {
                entries.put(changed.get(i).asText(), changed.get(i + 1).asText());
            }
        } catch (IOException e) {
            LOG.warn("ratings change unreadable: {}", e.toString());
        }
        return entries;
    }

    @Override
    public String get(String agentRef) {
        return commands.sync().hget(KEY, agentRef);
    }

    @Override
    public long replace(Map<String, String> expected, Map<String, String> updates, int maxAgents) {
        List<String> args = new ArrayList<>();
        args.add(Integer.toString(maxAgents));
        args.add(TOPIC);
        for (Map.Entry<String, String> update : updates.entrySet()) {
            args.add(update.getKey());
            args.add(expected.getOrDefault(update.getKey(), ""));
            args.add(update.getValue());
        }
        Long answer = replace.call(commands, new String[] {KEY}, args.toArray(String[]::new));
        return answer;
    }

    @Override
    public Map<String, String> all() {
        return commands.sync().hgetall(KEY);
    }

    @Override
    public long fill(Map<String, String> entries, int maxAgents) {
        if (entries.isEmpty()) {
            return 0;
        }
        List<String> args = new ArrayList<>();
        args.add(Integer.toString(maxAgents));
        entries.forEach((agent, entry) -> {
            args.add(agent);
            args.add(entry);
        });
        Long answer = fill.call(commands, new String[] {KEY}, args.toArray(String[]::new));
        return answer;
    }

    @Override
    public void close() {
        changes.close();
    }
}
