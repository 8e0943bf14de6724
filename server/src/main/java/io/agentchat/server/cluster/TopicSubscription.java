package io.agentchat.server.cluster;

import io.lettuce.core.RedisClient;
import io.lettuce.core.pubsub.RedisPubSubAdapter;
import io.lettuce.core.pubsub.StatefulRedisPubSubConnection;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;

/**
 * One Redis Pub/Sub topic, on a connection of its own, heard on a thread of its own
 * ({@link HandOffThread}), in the order Redis published. Lettuce subscribes the connection again
 * after a reconnect; what was published meanwhile was not heard, so the caller is told then.
 */
final class TopicSubscription implements AutoCloseable {
    private final String topic;
    private final StatefulRedisPubSubConnection<String, String> pubSub;
    private final HandOffThread handlers;
    private final AtomicInteger subscriptions = new AtomicInteger();

    /** @param name the thread's name ({@code agentchat-<name>}); {@code what} a message is, for the logs */
    TopicSubscription(RedisClient client, String topic, String name, String what) {
        this.topic = topic;
        this.pubSub = client.connectPubSub();
        this.handlers = new HandOffThread(name, what);
    }

    /** Subscribes: {@code message} hears each message, {@code resubscribed} each subscription after the first. */
    void start(Consumer<String> message, Runnable resubscribed) {
        pubSub.addListener(new RedisPubSubAdapter<>() {
            @Override
            public void message(String channel, String text) {
                if (topic.equals(channel)) {
                    handlers.execute(() -> message.accept(text));
                }
            }

            @Override
            public void subscribed(String channel, long count) {
                if (topic.equals(channel) && subscriptions.getAndIncrement() > 0) {
                    handlers.execute(resubscribed);
                }
            }
        });
        pubSub.sync().subscribe(topic);
    }

    @Override
    public void close() {
        pubSub.close();
        handlers.close();
    }
}
