package io.agentchat.server.cluster;

import io.lettuce.core.KeyValue;
import io.lettuce.core.ScriptOutputType;
import io.lettuce.core.api.StatefulRedisConnection;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * {@link RatingsLedger} in one Redis hash, {@code agentchat:ratings} (field: agent id, value: its
 * entry), with no TTL: the cluster's ratings outlive every relay, and Redis restarting empty is
 * repaired by {@link #fill} from the relays' snapshots.
 */
final class RedisRatingsLedger implements RatingsLedger {
    private static final String KEY = "agentchat:ratings";
    /** KEYS: ratings. ARGV: max agents, then (agent, expected or '', new entry) per agent. */
    private static final String REPLACE = """
            local added = 0
            for i = 2, #ARGV, 3 do
              local current = redis.call('HGET', KEYS[1], ARGV[i]) or ''
              if current ~= ARGV[i + 1] then return 0 end
              if current == '' then added = added + 1 end
            end
            if redis.call('HLEN', KEYS[1]) + added > tonumber(ARGV[1]) then return -1 end
            for i = 2, #ARGV, 3 do redis.call('HSET', KEYS[1], ARGV[i], ARGV[i + 2]) end
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

    RedisRatingsLedger(StatefulRedisConnection<String, String> commands) {
        this.commands = commands;
        this.replace = new LuaScript(commands, REPLACE, ScriptOutputType.INTEGER);
        this.fill = new LuaScript(commands, FILL, ScriptOutputType.INTEGER);
    }

    @Override
    public String get(String agentRef) {
        return commands.sync().hget(KEY, agentRef);
    }

    @Override
    public Map<String, String> getAll(Collection<String> agentRefs) {
        Map<String, String> entries = new HashMap<>();
        if (agentRefs.isEmpty()) {
            return entries;
        }
        for (KeyValue<String, String> entry : commands.sync().hmget(KEY, agentRefs.toArray(String[]::new))) {
            if (entry.hasValue()) {
                entries.put(entry.getKey(), entry.getValue());
            }
        }
        return entries;
    }

    @Override
    public long replace(Map<String, String> expected, Map<String, String> updates, int maxAgents) {
        List<String> args = new ArrayList<>();
        args.add(Integer.toString(maxAgents));
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
}
