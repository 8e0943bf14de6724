package io.agentchat.server.cluster;

import io.lettuce.core.RedisNoScriptException;
import io.lettuce.core.ScriptOutputType;
import io.lettuce.core.api.StatefulRedisConnection;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;

/**
 * A Lua script run by its digest, or by its text when Redis no longer knows it: a Redis restarted
 * without persistence (as docs/cluster.md asks) comes back with an empty script cache, and EVAL
 * puts the script back for the next EVALSHA.
 */
final class LuaScript {
    private final String text;
    private final String sha;

    LuaScript(StatefulRedisConnection<String, String> connection, String text) {
        this.text = text;
        this.sha = connection.sync().scriptLoad(text);
    }

    /** Blocks for one round trip (the connection's timeout). */
    <T> T call(StatefulRedisConnection<String, String> connection, ScriptOutputType type, String[] keys, String... args) {
        try {
            return connection.sync().evalsha(sha, type, keys, args);
        } catch (RedisNoScriptException e) {
            return connection.sync().eval(text, type, keys, args);
        }
    }

    /** Never blocks: the command is queued on the connection, in order with the others sent on it. */
    <T> CompletionStage<T> send(StatefulRedisConnection<String, String> connection, ScriptOutputType type, String[] keys,
                                String... args) {
        return connection.async().<T>evalsha(sha, type, keys, args)
                .exceptionallyCompose(e -> unknown(e)
                        ? connection.async().<T>eval(text, type, keys, args)
                        : CompletableFuture.failedFuture(e));
    }

    private static boolean unknown(Throwable failure) {
        Throwable cause = failure instanceof CompletionException && failure.getCause() != null ? failure.getCause() : failure;
        return cause instanceof RedisNoScriptException;
    }
}
