package io.agentchat.server.cluster;

import io.lettuce.core.ScriptOutputType;
import io.lettuce.core.api.StatefulRedisConnection;
import java.util.function.LongConsumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** A count per key and minute in {@code agentchat:minute:<minute>:<key>}, kept two minutes. */
final class RedisMinuteCounters implements MinuteCounters {
    private static final Logger LOG = LoggerFactory.getLogger("agentchat.cluster");

    /** KEYS: the counter. Returns its new value. */
    private static final String INCREMENT = """
            local total = redis.call('INCR', KEYS[1])
            if total == 1 then redis.call('PEXPIRE', KEYS[1], 120000) end
            return total
            """;

    private final StatefulRedisConnection<String, String> commands;
    private final LuaScript increment;

    RedisMinuteCounters(StatefulRedisConnection<String, String> commands) {
        this.commands = commands;
        this.increment = new LuaScript(commands, INCREMENT, ScriptOutputType.INTEGER);
    }

    @Override
    public void increment(String key, long minute, LongConsumer total) {
        increment.<Long>callAsync(commands, new String[] {key(key, minute)})
                .whenComplete((counted, failure) -> {
                    if (failure != null) {
                        LOG.warn("cluster counter not counted key={}: {}", key, failure.toString());
                    } else {
                        total.accept(counted);
                    }
                });
    }

    @Override
    public long current(String key, long minute) {
        try {
            String counted = commands.sync().get(key(key, minute));
            return counted == null ? 0 : Long.parseLong(counted);
        } catch (RuntimeException e) {
            LOG.warn("cluster counter not read key={}: {}", key, e.toString());
            return 0;
        }
    }

    private static String key(String key, long minute) {
        return "agentchat:minute:" + minute + ":" + key;
    }
}
