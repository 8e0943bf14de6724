package io.agentchat.server.cluster;

import io.lettuce.core.ScriptOutputType;
import io.lettuce.core.api.StatefulRedisConnection;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@link PendingSlots} as one hash per relay, {@code agentchat:market:slots:<relay id>} (counter →
 * this relay's count). A take reads the counters from the hash of every relay whose heartbeat
 * ({@link RedisRoster#RELAYS}) is alive, and this one's, and counts them in this relay's hash, in
 * one script. A relay that dies stops counting once its heartbeat lapses; its hash lapses
 * {@link #TTL} after its relay last wrote it (each relay rewrites its own more often than that).
 * The script names the other relays' hashes itself, so it needs one Redis, not a Redis Cluster.
 */
final class RedisPendingSlots implements PendingSlots {
    private static final Logger LOG = LoggerFactory.getLogger("agentchat.cluster");
    static final String PREFIX = "agentchat:market:slots:";
    /** Four times the marketplace's write-back period (30 s), so a hash outlives a missed write. */
    static final Duration TTL = Duration.ofMinutes(2);

    /**
     * KEYS: relays, this relay's hash. ARGV: this relay's id, ttl ms, n, n counters, n caps.
     * Returns 0 when taken, else the 1-based index of the first counter at its cap.
     */
    private static final String TAKE = LuaScript.NOW + """
            local n = tonumber(ARGV[3])
            local counters = {}
            for i = 1, n do counters[i] = ARGV[3 + i] end
            local totals = {}
            for i = 1, n do totals[i] = 0 end
            local function add(hash)
              local counts = redis.call('HMGET', hash, unpack(counters))
              for i = 1, n do totals[i] = totals[i] + (tonumber(counts[i]) or 0) end
            end
            add(KEYS[2])
            for _, relay in ipairs(redis.call('ZRANGEBYSCORE', KEYS[1], '(' .. now, '+inf')) do
              if relay ~= ARGV[1] then add('agentchat:market:slots:' .. relay) end
            end
            for i = 1, n do
              if totals[i] >= tonumber(ARGV[3 + n + i]) then return i end
            end
            for i = 1, n do redis.call('HINCRBY', KEYS[2], counters[i], 1) end
            redis.call('PEXPIRE', KEYS[2], ARGV[2])
            return 0
            """;

    /** KEYS: this relay's hash. ARGV: counters. */
    private static final String GIVE = """
            for _, counter in ipairs(ARGV) do
              if redis.call('HINCRBY', KEYS[1], counter, -1) <= 0 then redis.call('HDEL', KEYS[1], counter) end
            end
            return 0
            """;

    /** KEYS: this relay's hash. ARGV: ttl ms, then counter, count pairs. */
    private static final String HOLD = """
            redis.call('DEL', KEYS[1])
            local batch = {}
            for i = 2, #ARGV do
              batch[#batch + 1] = ARGV[i]
              if #batch == 1000 or i == #ARGV then
                redis.call('HSET', KEYS[1], unpack(batch))
                batch = {}
              end
            end
            if #ARGV > 1 then redis.call('PEXPIRE', KEYS[1], ARGV[1]) end
            return 0
            """;

    private final StatefulRedisConnection<String, String> commands;
    private final String relayId;
    private final String hash;
    private final LuaScript take;
    private final LuaScript give;
    private final LuaScript hold;

    RedisPendingSlots(StatefulRedisConnection<String, String> commands, String relayId) {
        this.commands = commands;
        this.relayId = relayId;
        this.hash = PREFIX + relayId;
        this.take = new LuaScript(commands, TAKE, ScriptOutputType.INTEGER);
        this.give = new LuaScript(commands, GIVE, ScriptOutputType.INTEGER);
        this.hold = new LuaScript(commands, HOLD, ScriptOutputType.INTEGER);
    }

    @Override
    public int take(List<String> counters, List<Integer> caps) {
        List<String> args = new ArrayList<>(List.of(relayId, Long.toString(TTL.toMillis()),
                Integer.toString(counters.size())));
        args.addAll(counters);
        caps.forEach(cap -> args.add(Integer.toString(cap)));
        Long refused = take.call(commands, new String[] {RedisRoster.RELAYS, hash}, args.toArray(String[]::new));
        return refused.intValue() - 1;
    }

    @Override
    public void give(List<String> counters) {
        give.<Long>callAsync(commands, new String[] {hash}, counters.toArray(String[]::new)).exceptionally(e -> {
            LOG.warn("cluster pending slots not given back {}: {}", counters, e.toString());
            return null;
        });
    }

    @Override
    public void holdExactly(Map<String, Integer> counts) {
        List<String> args = new ArrayList<>(1 + 2 * counts.size());
        args.add(Long.toString(TTL.toMillis()));
        counts.forEach((counter, count) -> {
            args.add(counter);
            args.add(Integer.toString(count));
        });
        hold.<Long>callAsync(commands, new String[] {hash}, args.toArray(String[]::new)).exceptionally(e -> {
            LOG.warn("cluster pending slots not written back: {}", e.toString());
            return null;
        });
    }
}
