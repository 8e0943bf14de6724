package io.agentchat.server.cluster;

import io.lettuce.core.ScriptOutputType;
import io.lettuce.core.api.StatefulRedisConnection;
import java.time.Duration;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Connections per address in Redis: a hash {@code agentchat:conns:<address>}, one field per relay
 * holding its count, summed over the relays whose heartbeat ({@link RedisRoster#RELAYS}) is alive;
 * a dead relay's field is dropped by the next admission. The hash lives a day past its last
 * admission. When Redis restarts empty, or a hash outlives its day, connections already open are
 * no longer counted: the cluster's limit then errs on the side of admitting, and each relay's own
 * limit still holds.
 */
final class RedisAddressConnections implements AddressConnections {
    private static final Logger LOG = LoggerFactory.getLogger("agentchat.cluster");
    private static final long TTL_MILLIS = Duration.ofDays(1).toMillis();

    /** KEYS: conns, relays. ARGV: relay id, max, ttl ms. Returns 1 (admitted) or 0. */
    private static final String ADMIT = LuaScript.NOW + """
            local fields = redis.call('HGETALL', KEYS[1])
            local total = 0
            for i = 1, #fields, 2 do
              local expires = redis.call('ZSCORE', KEYS[2], fields[i])
              if expires and tonumber(expires) > now then
                total = total + tonumber(fields[i + 1])
              else
                redis.call('HDEL', KEYS[1], fields[i])
              end
            end
            if total >= tonumber(ARGV[2]) then return 0 end
            redis.call('HINCRBY', KEYS[1], ARGV[1], 1)
            redis.call('PEXPIRE', KEYS[1], ARGV[3])
            return 1
            """;

    /** KEYS: conns. ARGV: relay id. */
    private static final String RELEASE = """
            local left = redis.call('HINCRBY', KEYS[1], ARGV[1], -1)
            if left <= 0 then redis.call('HDEL', KEYS[1], ARGV[1]) end
            return left
            """;

    private final StatefulRedisConnection<String, String> commands;
    private final String relayId;
    private final LuaScript admit;
    private final LuaScript release;

    RedisAddressConnections(StatefulRedisConnection<String, String> commands, String relayId) {
        this.commands = commands;
        this.relayId = relayId;
        this.admit = new LuaScript(commands, ADMIT, ScriptOutputType.INTEGER);
        this.release = new LuaScript(commands, RELEASE, ScriptOutputType.INTEGER);
    }

    @Override
    public boolean admit(String address, int max) {
        try {
            Long admitted = admit.call(commands, new String[] {key(address), RedisRoster.RELAYS}, relayId,
                    Integer.toString(max), Long.toString(TTL_MILLIS));
            return admitted == 1;
        } catch (RuntimeException e) {
            LOG.warn("cluster connection count unavailable, admitting ip={}: {}", address, e.toString());
            return true;
        }
    }

    @Override
    public void release(String address) {
        release.<Long>callAsync(commands, new String[] {key(address)}, relayId).exceptionally(e -> {
            LOG.warn("cluster connection count not lowered ip={}: {}", address, e.toString());
            return null;
        });
    }

    private static String key(String address) {
        return "agentchat:conns:" + address;
    }
}
