package io.agentchat.server.cluster;

import io.agentchat.server.core.RecoveryConfig;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisNoScriptException;
import io.lettuce.core.ScriptOutputType;
import io.lettuce.core.SetArgs;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.pubsub.RedisPubSubAdapter;
import io.lettuce.core.pubsub.StatefulRedisPubSubConnection;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@link AgentDirectory} over the cluster's Redis. Each relay subscribes to the topic
 * {@code agentchat:agent:<id>} of every id it answers to; a DM is one script that publishes to it
 * and, when no relay heard it, holds it in the id's mailbox. A proof is one script that checks the
 * id's owner and mailbox, numbers the claim, publishes it on the id's topic (the other relays let
 * their holder of the same key go) and hands the mailbox over. Keys, for id {@code X}:
 * {@code agentchat:{@X}:owner} (hash: pubkey, claim), {@code agentchat:{@X}:held} (hash: pubkey,
 * bytes) and {@code agentchat:{@X}:dms} (list), {@code agentchat:held-by:<address>},
 * {@code agentchat:sig:<hex>} and the claim counter {@code agentchat:claims}.
 *
 * <p>{@code PUBLISH} counts pattern subscribers too: no relay may {@code PSUBSCRIBE} a pattern that
 * matches {@code agentchat:agent:*}, or every DM would count as delivered and none would be held or
 * refused.
 */
final class RedisDirectory implements AgentDirectory, AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger("agentchat.cluster");
    /** A holder's owner record outlives any connection we expect; the relay deletes it when the holder goes. */
    private static final long OWNER_TTL_MILLIS = Duration.ofDays(7).toMillis();
    private static final String TOPIC = "agentchat:agent:";
    /** Deliveries waiting for the listener's thread; past this, one is dropped and logged. */
    private static final int QUEUE = 10_000;

    /**
     * KEYS: held, dms, held-by. ARGV: topic, frame, sender id, sender address, cost, max messages,
     * max bytes, address share, held age ms, "1" to publish first. A DM is published and held as
     * {@code <sender> <address> <cost> <frame>}. A full mailbox drops the oldest DM of the sender
     * holding the most, unless that is this sender (as HeldMessages does on one relay).
     */
    private static final String DM = """
            local entry = ARGV[3] .. ' ' .. ARGV[4] .. ' ' .. ARGV[5] .. ' ' .. ARGV[2]
            if ARGV[10] == '1' and redis.call('PUBLISH', ARGV[1], 'dm ' .. entry) > 0 then return 'SENT' end
            if redis.call('EXISTS', KEYS[1]) == 0 then return 'NOT_HELD' end
            local cost = tonumber(ARGV[5])
            local used = tonumber(redis.call('GET', KEYS[3]) or '0')
            if used + cost > tonumber(ARGV[8]) then return 'SENDER_FULL' end
            local bytes = tonumber(redis.call('HGET', KEYS[1], 'bytes') or '0')
            local entries = redis.call('LRANGE', KEYS[2], 0, -1)
            while #entries >= tonumber(ARGV[6]) or bytes + cost > tonumber(ARGV[7]) do
              local counts, top = {}, nil
              for _, e in ipairs(entries) do
                local s = string.match(e, '^(%S+)')
                counts[s] = (counts[s] or 0) + 1
                if top == nil or counts[s] > counts[top] then top = s end
              end
              if top == nil or (counts[ARGV[3]] or 0) >= counts[top] then return 'FULL' end
              for i, e in ipairs(entries) do
                local s, a, c = string.match(e, '^(%S+) (%S+) (%d+) ')
                if s == top then
                  redis.call('LREM', KEYS[2], 1, e)
                  bytes = bytes - tonumber(c)
                  local key = 'agentchat:held-by:' .. a
                  if tonumber(redis.call('GET', key) or '0') > tonumber(c) then
                    redis.call('DECRBY', key, c)
                  else
                    redis.call('DEL', key)
                  end
                  table.remove(entries, i)
                  break
                end
              end
            end
            redis.call('INCRBY', KEYS[3], cost)
            redis.call('PEXPIRE', KEYS[3], ARGV[9])
            redis.call('RPUSH', KEYS[2], entry)
            redis.call('HSET', KEYS[1], 'bytes', bytes + cost)
            local ttl = redis.call('PTTL', KEYS[1])
            if ttl > 0 then redis.call('PEXPIRE', KEYS[2], ttl) end
            return 'HELD'
            """;

    /**
     * KEYS: owner, held, dms, claims. ARGV: pubkey, topic, owner ttl ms. Returns {0} (refused) or
     * {claim, held frames...}. The owner record of another key counts only while a relay other than
     * the claimer's is subscribed to the id (a relay killed with its holder leaves it behind). Claim
     * numbers start from Redis's clock in microseconds, so after Redis restarts empty a new claim
     * still outnumbers every claim the relays remember.
     */
    private static final String CLAIM = """
            local boxKey = redis.call('HGET', KEYS[2], 'pubkey')
            if boxKey and boxKey ~= ARGV[1] then return {0} end
            local owner = redis.call('HGET', KEYS[1], 'pubkey')
            if owner and owner ~= ARGV[1] and redis.call('PUBSUB', 'NUMSUB', ARGV[2])[2] > 1 then return {0} end
            if redis.call('EXISTS', KEYS[4]) == 0 then
              local now = redis.call('TIME')
              redis.call('SET', KEYS[4], now[1] .. string.format('%06d', tonumber(now[2])))
            end
            local claim = redis.call('INCR', KEYS[4])
            redis.call('HSET', KEYS[1], 'pubkey', ARGV[1], 'claim', string.format('%d', claim))
            redis.call('PEXPIRE', KEYS[1], ARGV[3])
            redis.call('PUBLISH', ARGV[2], 'claim ' .. string.format('%d', claim) .. ' ' .. ARGV[1])
            local out = {claim}
            if boxKey then
              for _, e in ipairs(redis.call('LRANGE', KEYS[3], 0, -1)) do
                local s, a, c = string.match(e, '^(%S+) (%S+) (%d+) ')
                local key = 'agentchat:held-by:' .. a
                if tonumber(redis.call('GET', key) or '0') > tonumber(c) then
                  redis.call('DECRBY', key, c)
                else
                  redis.call('DEL', key)
                end
                table.insert(out, string.sub(e, #s + #a + #c + 4))
              end
              redis.call('DEL', KEYS[2], KEYS[3])
            end
            return out
            """;

    /**
     * KEYS: owner, held, dms. ARGV: pubkey, claim, held age ms (0: hold nothing). Opens (or, for the
     * same key, restarts the time of) the mailbox, only if the leaving holder's claim is still the
     * owner's: one displaced from another relay meanwhile opens nothing.
     */
    private static final String LEFT = """
            if redis.call('HGET', KEYS[1], 'claim') ~= ARGV[2] then return 0 end
            redis.call('DEL', KEYS[1])
            if ARGV[3] == '0' then return 1 end
            if redis.call('HGET', KEYS[2], 'pubkey') ~= ARGV[1] then
              redis.call('DEL', KEYS[2], KEYS[3])
              redis.call('HSET', KEYS[2], 'pubkey', ARGV[1], 'bytes', 0)
            end
            redis.call('PEXPIRE', KEYS[2], ARGV[3])
            redis.call('PEXPIRE', KEYS[3], ARGV[3])
            return 1
            """;

    private final StatefulRedisConnection<String, String> commands;
    private final StatefulRedisPubSubConnection<String, String> pubSub;
    private final RecoveryConfig held;
    private final ThreadPoolExecutor deliveries;
    private final String dmSha;
    private final String claimSha;
    private final String leftSha;

    /**
     * @param commands the cluster's command connection, shared so that a signature remembered with
     *                 {@link #used} reaches Redis before the message that carries it
     */
    RedisDirectory(RedisClient client, StatefulRedisConnection<String, String> commands, RecoveryConfig held) {
        this.commands = commands;
        this.held = held;
        this.pubSub = client.connectPubSub();
        this.deliveries = new ThreadPoolExecutor(1, 1, 0, TimeUnit.MILLISECONDS, new ArrayBlockingQueue<>(QUEUE),
                runnable -> {
                    Thread thread = new Thread(runnable, "agentchat-directory");
                    thread.setDaemon(true);
                    thread.setUncaughtExceptionHandler((t, e) -> LOG.error("directory delivery failed", e));
                    return thread;
                },
                (task, pool) -> LOG.warn("directory delivery dropped: {} waiting", QUEUE));
        this.dmSha = commands.sync().scriptLoad(DM);
        this.claimSha = commands.sync().scriptLoad(CLAIM);
        this.leftSha = commands.sync().scriptLoad(LEFT);
    }

    @Override
    public void listen(Listener listener) {
        pubSub.addListener(new RedisPubSubAdapter<>() {
            @Override
            public void message(String topic, String message) {
                if (topic.startsWith(TOPIC)) {
                    deliveries.execute(() -> deliver(listener, topic.substring(TOPIC.length()), message));
                }
            }
        });
    }

    /** "dm <sender> <address> <cost> <frame>" or "claim <n> <pubkey>"; a malformed one is logged and dropped. */
    private static void deliver(Listener listener, String id, String message) {
        try {
            if (message.startsWith("dm ")) {
                int sender = message.indexOf(' ', 3);
                int address = message.indexOf(' ', sender + 1);
                int cost = message.indexOf(' ', address + 1);
                listener.dm(id, new Dm(message.substring(cost + 1), message.substring(3, sender),
                        message.substring(sender + 1, address), Long.parseLong(message.substring(address + 1, cost))));
            } else if (message.startsWith("claim ")) {
                int space = message.indexOf(' ', 6);
                listener.claimed(id, message.substring(space + 1), Long.parseLong(message.substring(6, space)));
            } else {
                LOG.warn("directory message of unknown kind id={}", id);
            }
        } catch (RuntimeException e) {
            LOG.error("directory delivery failed id={}", id, e);
        }
    }

    @Override
    public void present(String id) {
        pubSub.sync().subscribe(TOPIC + id);
    }

    @Override
    public void absent(String id) {
        pubSub.sync().unsubscribe(TOPIC + id);
    }

    @Override
    public CompletableFuture<DmOutcome> dm(String id, Dm dm) {
        return send(id, dm, true);
    }

    @Override
    public CompletableFuture<DmOutcome> hold(String id, Dm dm) {
        return send(id, dm, false);
    }

    private CompletableFuture<DmOutcome> send(String id, Dm dm, boolean publish) {
        String[] keys = {heldKey(id), dmsKey(id), "agentchat:held-by:" + dm.senderAddress()};
        String[] args = {TOPIC + id, dm.text(), dm.senderId(), dm.senderAddress(), Long.toString(dm.cost()),
                Integer.toString(held.heldMessages()), Long.toString(held.heldBytesPerAgent()),
                Long.toString(held.heldBytesPerAddress()), Long.toString(held.heldAge().toMillis()), publish ? "1" : "0"};
        return this.<String>evalAsync(dmSha, DM, ScriptOutputType.VALUE, keys, args)
                .thenApply(DmOutcome::valueOf)
                .toCompletableFuture();
    }

    @Override
    public Claim claim(String id, String pubkey) {
        List<Object> answer = run(claimSha, CLAIM, ScriptOutputType.MULTI,
                new String[] {ownerKey(id), heldKey(id), dmsKey(id), "agentchat:claims"},
                pubkey, TOPIC + id, Long.toString(OWNER_TTL_MILLIS));
        long number = (Long) answer.get(0);
        if (number == 0) {
            return Claim.REFUSED;
        }
        List<String> frames = new ArrayList<>(answer.size() - 1);
        for (Object frame : answer.subList(1, answer.size())) {
            frames.add((String) frame);
        }
        return new Claim(true, number, frames);
    }

    @Override
    public void left(String id, String pubkey, long claim) {
        long age = held.heldMessages() == 0 ? 0 : held.heldAge().toMillis();
        evalAsync(leftSha, LEFT, ScriptOutputType.INTEGER, new String[] {ownerKey(id), heldKey(id), dmsKey(id)},
                pubkey, Long.toString(claim), Long.toString(age))
                .exceptionally(e -> {
                    LOG.warn("directory: mailbox not opened id={}: {}", id, e.toString());
                    return null;
                });
    }

    @Override
    public boolean firstUse(byte[] signature, long ttlMillis) {
        return "OK".equals(commands.sync().set(signatureKey(signature), "1", SetArgs.Builder.nx().px(ttlMillis)));
    }

    @Override
    public void used(byte[] signature, long ttlMillis) {
        commands.async().set(signatureKey(signature), "1", SetArgs.Builder.nx().px(ttlMillis)).exceptionally(e -> {
            LOG.warn("directory: signature not remembered: {}", e.toString());
            return null;
        });
    }

    private <T> CompletionStage<T> evalAsync(String sha, String script, ScriptOutputType type, String[] keys,
                                             String... args) {
        return commands.async().<T>evalsha(sha, type, keys, args)
                .exceptionallyCompose(e -> unknownScript(e)
                        ? commands.async().<T>eval(script, type, keys, args)
                        : CompletableFuture.failedFuture(e));
    }

    /** By digest, or by text after Redis restarted empty (as RedisCluster does). */
    private <T> T run(String sha, String script, ScriptOutputType type, String[] keys, String... args) {
        try {
            return commands.sync().evalsha(sha, type, keys, args);
        } catch (RedisNoScriptException e) {
            return commands.sync().eval(script, type, keys, args);
        }
    }

    private static boolean unknownScript(Throwable failure) {
        Throwable cause = failure instanceof CompletionException && failure.getCause() != null ? failure.getCause() : failure;
        return cause instanceof RedisNoScriptException;
    }

    private static String ownerKey(String id) {
        return "agentchat:{@" + id + "}:owner";
    }

    private static String heldKey(String id) {
        return "agentchat:{@" + id + "}:held";
    }

    private static String dmsKey(String id) {
        return "agentchat:{@" + id + "}:dms";
    }

    private static String signatureKey(byte[] signature) {
        return "agentchat:sig:" + HexFormat.of().formatHex(signature);
    }

    /**
     * Waits for the scripts already sent (one round trip: Redis answers a connection's commands in
     * order), so the mailboxes a shutting-down relay opened for its proven agents are open before
     * the shared connection closes; then stops hearing.
     */
    @Override
    public void close() {
        try {
            commands.sync().ping();
        } catch (RuntimeException e) {
            LOG.warn("directory: closing without Redis's last answers: {}", e.toString());
        }
        pubSub.close();
        deliveries.shutdownNow();
    }
}
