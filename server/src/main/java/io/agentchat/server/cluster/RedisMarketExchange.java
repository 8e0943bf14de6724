package io.agentchat.server.cluster;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisCommandTimeoutException;
import io.lettuce.core.ScriptOutputType;
import io.lettuce.core.SetArgs;
import io.lettuce.core.api.StatefulRedisConnection;
import java.util.List;
import java.util.UUID;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@link MarketExchange} over the cluster's Redis. Each relay subscribes to its own topic
 * {@code agentchat:market:relay:<uuid>}; {@code agentchat:market:home:<id>} names the topic of the
 * relay that keeps proposal or verification request {@code id}, with the item's lifetime as TTL. A
 * forward is one script: read the home, publish there; the answer is published to the forwarding
 * relay's topic.
 */
final class RedisMarketExchange implements MarketExchange, AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger("agentchat.cluster");
    private static final ObjectMapper JSON = new ObjectMapper();
    /** KEYS: home. ARGV: message. The number of relays that heard it (0: nobody keeps the id). */
    private static final String FORWARD = """
            local topic = redis.call('GET', KEYS[1])
            if not topic then return 0 end
            return redis.call('PUBLISH', topic, ARGV[1])
            """;

    private final StatefulRedisConnection<String, String> commands;
    private final String topic = "agentchat:market:relay:" + UUID.randomUUID();
    private final LuaScript forward;
    private final TopicSubscription inbox;

    /** @param commands the cluster's command connection, shared so a home is recorded before the notices that name it */
    RedisMarketExchange(RedisClient client, StatefulRedisConnection<String, String> commands) {
        this.commands = commands;
        this.forward = new LuaScript(commands, FORWARD, ScriptOutputType.INTEGER);
        this.inbox = new TopicSubscription(client, topic, "market-exchange", "market forward");
    }

    @Override
    public void listen(Listener listener) {
        // Nothing to catch up after a resubscription: a forward missed meanwhile is answered by the
        // forwarding relay's wait (docs/protocol.md §2, "Order of answers").
        inbox.start(message -> received(listener, message), () -> { });
    }

    /** A forwarded frame, to handle and answer on the relay it came from, or an answer to one of ours. */
    private void received(Listener listener, String message) {
        try {
            Envelope envelope = JSON.readValue(message, Envelope.class);
            if (envelope.forwarded() != null && envelope.replyTo() != null) {
                long ticket = envelope.forwarded().ticket();
                listener.forwarded(envelope.forwarded(), frames -> publish(envelope.replyTo(),
                        new Envelope(null, null, ticket, frames)));
            } else if (envelope.ticket() != null && envelope.frames() != null) {
                listener.answered(envelope.ticket(), envelope.frames());
            }
        } catch (JsonProcessingException e) {
            LOG.warn("market message unreadable: {}", e.getOriginalMessage());
        }
    }

    private void publish(String to, Envelope envelope) {
        commands.async().publish(to, json(envelope)).exceptionally(e -> {
            LOG.warn("market: answer to forwarded frame {} not sent: {}", envelope.ticket(), e.toString());
            return null;
        });
    }

    @Override
    public void home(String itemId, long ttlMillis) {
        commands.async().set(homeKey(itemId), topic, SetArgs.Builder.px(Math.max(1, ttlMillis))).exceptionally(e -> {
            LOG.warn("market: home of {} not recorded: {}", itemId, e.toString());
            return null;
        });
    }

    @Override
    public boolean forward(String itemId, Forwarded forwarded) {
        Long heard;
        try {
            heard = forward.call(commands, new String[] {homeKey(itemId)}, json(new Envelope(forwarded, topic, null, null)));
        } catch (RedisCommandTimeoutException e) {
            throw new ClusterUnansweredException(e);
        }
        return heard != null && heard > 0;
    }

    /**
     * What goes over a relay's topic: a forwarded frame with the topic its answer goes to, or
     * that answer, the caller's frames, with the forwarded frame's ticket.
     */
    record Envelope(Forwarded forwarded, String replyTo, Long ticket, List<String> frames) {
    }

    private static String json(Envelope envelope) {
        try {
            return JSON.writeValueAsString(envelope);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    private static String homeKey(String itemId) {
        return "agentchat:market:home:" + itemId;
    }

    @Override
    public void close() {
        inbox.close();
    }
}
