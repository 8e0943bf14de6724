package io.agentchat.server.cluster;

import io.lettuce.core.RedisNoScriptException;
import io.lettuce.core.ScriptOutputType;
import io.lettuce.core.api.StatefulRedisConnection;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;

/**
 * One Lua script, run by its digest ({@code EVALSHA}), or by its text when Redis no longer knows it:
 * a Redis restarted without persistence (as docs/cluster.md asks) comes back with an empty script
 * cache, and EVAL puts the script back for every relay's next EVALSHA.
 */
final class LuaScript {
    /** The start of a script that needs the time: {@code now}, Redis's clock in ms, so relays with skewed clocks agree. */
    static final String NOW = """
            local clock = redis.call('TIME')
            local now = tonumber(clock[1]) * 1000 + math.floor(tonumber(clock[2]) / 1000)
            """;

    private final String text;
    private final ScriptOutputType type;
    private final String sha;

    LuaScript(StatefulRedisConnection<String, String> connection, String text, ScriptOutputType type) {
        this.text = text;
        this.type = type;
        this.sha = connection.sync().scriptLoad(text);
    }

    /** Blocks for one round trip (the connection's command timeout at most). */
    <T> T call(StatefulRedisConnection<String, String> connection, String[] keys, String... args) {
        try {
            return connection.sync().evalsha(sha, type, keys, args);
        } catch (RedisNoScriptException e) {
            return connection.sync().eval(text, type, keys, args);
        }
    }

    <T> CompletableFuture<T> callAsync(StatefulRedisConnection<String, String> connection, String[] keys, String... args) {
        return connection.async().<T>evalsha(sha, type, keys, args).toCompletableFuture()
                .exceptionallyCompose(e -> unknownScript(e)
                        ? connection.async().<T>eval(text, type, keys, args)
                        : CompletableFuture.failedFuture(e));
    }

    private static boolean unknownScript(Throwable failure) {
        Throwable cause = failure instanceof CompletionException && failure.getCause() != null ? failure.getCause() : failure;
        return cause instanceof RedisNoScriptException;
    }
}
