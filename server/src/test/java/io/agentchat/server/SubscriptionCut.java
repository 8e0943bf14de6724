package io.agentchat.server;

import io.lettuce.core.KillArgs;
import io.lettuce.core.RedisClient;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.sync.RedisCommands;

/**
 * Cuts every Pub/Sub connection of a test's Redis and keeps them from coming back (no room under
 * {@code maxclients}) until {@link #restore}: what is published meanwhile reaches no relay live,
 * while the relays' command connections go on working. A real Redis, driven over its own connection.
 */
final class SubscriptionCut implements AutoCloseable {
    private final RedisClient admin;
    private final StatefulRedisConnection<String, String> connection;

    SubscriptionCut(RedisProcess redis) {
        this.admin = RedisClient.create(redis.uri().toString());
        this.connection = admin.connect();
    }

    RedisCommands<String, String> commands() {
        return connection.sync();
    }

    /** Drops every subscriber; returns how many there were. */
    long cut() {
        RedisCommands<String, String> commands = commands();
        long clients = commands.clientList().lines().filter(line -> !line.isBlank()).count();
        long subscribers = commands.clientList().lines().filter(line -> line.contains(" flags=P ")).count();
        commands.configSet("maxclients", Long.toString(clients - subscribers)); // no room for any subscription
        return commands.clientKill(KillArgs.Builder.typePubsub());
    }

    void restore() {
        commands().configSet("maxclients", "10000");
    }

    /** The connections subscribed to a pattern: each relay's channel messages have one. */
    long patternSubscribers() {
        return commands().clientList().lines().filter(line -> line.matches(".* psub=[1-9].*")).count();
    }

    @Override
    public void close() {
        connection.close();
        admin.shutdown();
    }
}
