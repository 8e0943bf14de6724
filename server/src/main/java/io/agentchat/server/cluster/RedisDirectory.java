package io.agentchat.server.cluster;

import io.agentchat.server.core.RecoveryConfig;
import io.lettuce.core.RedisChannelHandler;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisConnectionStateListener;
import io.lettuce.core.ScriptOutputType;
import io.lettuce.core.SetArgs;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.pubsub.RedisPubSubAdapter;
import io.lettuce.core.pubsub.StatefulRedisPubSubConnection;
import java.net.SocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
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

    private final StatefulRedisConnection<String, String> commands;
    private final StatefulRedisPubSubConnection<String, String> pubSub;
    private final RecoveryConfig held;
    private final HandOffThread deliveries;
    private final LuaScript dmScript;
    private final LuaScript claimScript;
    private final LuaScript leftScript;
    private final LuaScript reassertScript;
    private final LuaScript holderScript;
    private final LuaScript ephemeralScript;
    private final LuaScript ephemeralLeftScript;
    /** Bounded by the agents that leave while Redis is away; each is tried again once. */
    private final ConcurrentLinkedQueue<Departure> unopened = new ConcurrentLinkedQueue<>();
    private final RedisClient client;

    /**
     * @param commands the cluster's command connection, shared so that a signature remembered with
     *                 {@link #used} reaches Redis before the message that carries it
     */
    RedisDirectory(RedisClient client, StatefulRedisConnection<String, String> commands, RecoveryConfig held) {
        this.commands = commands;
        this.held = held;
        this.pubSub = client.connectPubSub();
        this.deliveries = new HandOffThread("directory", "directory delivery");
        this.dmScript = new LuaScript(commands, DirectoryScripts.DM, ScriptOutputType.VALUE);
        this.claimScript = new LuaScript(commands, DirectoryScripts.CLAIM, ScriptOutputType.MULTI);
        this.leftScript = new LuaScript(commands, DirectoryScripts.LEFT, ScriptOutputType.INTEGER);
        this.reassertScript = new LuaScript(commands, DirectoryScripts.REASSERT, ScriptOutputType.INTEGER);
        this.holderScript = new LuaScript(commands, DirectoryScripts.HOLDER, ScriptOutputType.VALUE);
        this.ephemeralScript = new LuaScript(commands, DirectoryScripts.EPHEMERAL, ScriptOutputType.INTEGER);
        this.ephemeralLeftScript = new LuaScript(commands, DirectoryScripts.EPHEMERAL_LEFT, ScriptOutputType.INTEGER);
        this.client = client;
    }

    @Override
    public void listen(Listener listener) {
        // Every (re)connection of the command connection; the first happened before this, so each call is a return.
        client.addListener(new RedisConnectionStateListener() {
            @Override
            public void onRedisConnected(RedisChannelHandler<?, ?> connection, SocketAddress address) {
                if (connection == commands) {
                    deliveries.execute(() -> {
                        openUnopened();
                        listener.reconnected();
                    });
                }
            }
        });
        pubSub.addListener(new RedisPubSubAdapter<>() {
            @Override
            public void message(String topic, String message) {
                if (topic.startsWith(TOPIC)) {
                    deliveries.execute(() -> deliver(listener, topic.substring(TOPIC.length()), message));
                }
            }
        });
    }

    /**
     * "dm <sender> <address> <cost> <frame>", "claim <n> <pubkey>" or "frame <frame>"; a malformed
     * one is logged and dropped.
     */
    private static void deliver(Listener listener, String id, String message) {
        try {
            if (message.startsWith("dm ")) {
                int sender = message.indexOf(' ', 3);
                int address = message.indexOf(' ', sender + 1);
                int cost = message.indexOf(' ', address + 1);
                listener.dm(id, new Dm(message.substring(cost + 1), message.substring(3, sender),
                        message.substring(sender + 1, address), Long.parseLong(message.substring(address + 1, cost))));
            } else if (message.startsWith("frame ")) {
                listener.frame(id, message.substring(6));
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
    public void presentEphemeral(String id) {
        // Both round trips at once, on their two connections: the session waits for one.
        CompletableFuture<Object> owned = ephemeralScript.callAsync(commands, new String[] {ownerKey(id)},
                Long.toString(OWNER_TTL_MILLIS));
        present(id);
        owned.join();
    }

    @Override
    public void leftEphemeral(String id) {
        ephemeralLeftScript.callAsync(commands, new String[] {ownerKey(id)}).exceptionally(e -> {
            // Harmless: CLAIM ignores a record whose relay no longer answers to the id; it expires.
            LOG.warn("directory: ephemeral owner of id={} not deleted: {}", id, e.toString());
            return null;
        });
    }

    @Override
    public void reassertEphemeral(String id) {
        ephemeralScript.callAsync(commands, new String[] {ownerKey(id)}, Long.toString(OWNER_TTL_MILLIS))
                .exceptionally(e -> {
                    LOG.warn("directory: ephemeral owner of id={} not restored: {}", id, e.toString());
                    return null;
                });
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
        return dmScript.<String>callAsync(commands, keys, args).thenApply(DmOutcome::valueOf);
    }

    @Override
    public Claim claim(String id, String pubkey) {
        List<Object> answer = claimScript.call(commands, new String[] {ownerKey(id), heldKey(id), dmsKey(id), "agentchat:claims"},
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
        leftScript.callAsync(commands, new String[] {ownerKey(id), heldKey(id), dmsKey(id)},
                pubkey, Long.toString(claim), Long.toString(age))
                .exceptionally(e -> {
                    // Tried again once the connection is back: the script opens the mailbox only if
                    // that claim still owns the id, so a late try never opens it for a newer holder.
                    LOG.warn("directory: mailbox not opened yet id={}: {}", id, e.toString());
                    unopened.add(new Departure(id, pubkey, claim));
                    return null;
                });
    }

    private record Departure(String id, String pubkey, long claim) {
    }

    /** The departures whose mailboxes Redis did not open (it was away), each tried again once. */
    private void openUnopened() {
        Departure departure;
        while ((departure = unopened.poll()) != null) {
            Departure retried = departure;
            long age = held.heldMessages() == 0 ? 0 : held.heldAge().toMillis();
            leftScript.callAsync(commands, new String[] {ownerKey(retried.id()), heldKey(retried.id()), dmsKey(retried.id())},
                    retried.pubkey(), Long.toString(retried.claim()), Long.toString(age))
                    .exceptionally(e -> {
                        LOG.warn("directory: mailbox not opened id={}: {}", retried.id(), e.toString());
                        return null;
                    });
        }
    }

    @Override
    public void reassert(String id, String pubkey, long claim) {
        reassertScript.callAsync(commands, new String[] {ownerKey(id)},
                pubkey, Long.toString(claim), Long.toString(OWNER_TTL_MILLIS))
                .whenComplete((kept, e) -> {
                    if (e != null) {
                        LOG.warn("directory: owner of id={} not restored: {}", id, e.toString());
                    } else if (Long.valueOf(0).equals(kept)) {
                        LOG.warn("directory: id={} claimed by another key while Redis was away", id);
                    }
                });
    }

    @Override
    public String holderKey(String id) {
        return holderScript.call(commands, new String[] {ownerKey(id)}, TOPIC + id);
    }

    @Override
    public void send(String id, String text) {
        commands.async().publish(TOPIC + id, "frame " + text).exceptionally(e -> {
            LOG.warn("directory: frame for id={} not sent: {}", id, e.toString());
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
        deliveries.close();
    }
}
