package io.agentchat.daemon;

import io.agentchat.client.AgentChatClient;
import io.agentchat.client.ClientException;
import io.agentchat.client.ClientOptions;
import io.agentchat.client.Connection;
import io.agentchat.client.FrameListener;
import io.agentchat.protocol.ServerFrame;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A listening agent for delivery tests: joins one channel and records, in arrival order, the
 * content of every MSG not from {@code @server} (live and replayed: a restarted server's replay
 * holds only what that server relayed, so every copy is a real delivery). When the server goes
 * away it reconnects to the same URL until closed, so it can count across a server restart.
 */
final class ChannelRecorder implements AutoCloseable {

    private final URI uri;
    private final String channel;
    private final List<String> contents = new ArrayList<>();
    private final AtomicInteger joins = new AtomicInteger();
    private final CountDownLatch closing = new CountDownLatch(1);
    private final AgentChatClient client = new AgentChatClient(ClientOptions.defaults()
            .withTimeouts(Duration.ofSeconds(5)).withKeepAlive(Duration.ZERO));
    private final Thread thread;
    private volatile Connection connection;

    ChannelRecorder(URI uri, String channel) {
        this.uri = uri;
        this.channel = channel;
        this.thread = new Thread(this::run, "test-recorder");
        thread.setDaemon(true);
        thread.start();
    }

    private void run() {
        try {
            while (closing.getCount() > 0) {
                try {
                    Connection c = client.connect(uri, "recorder", null, new Listener());
                    connection = c;
                    c.join(channel);
                    joins.incrementAndGet();
                    c.closed().get();
                } catch (ClientException e) {
                    // server down (restarting): try again shortly
                    closing.await(50, TimeUnit.MILLISECONDS);
                } catch (java.util.concurrent.ExecutionException e) {
                    throw new IllegalStateException(e);
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** How many times the recorder has joined (1 after the start, 2 after one server restart...). */
    int joins() {
        return joins.get();
    }

    Connection connection() {
        return connection;
    }

    synchronized List<String> contents() {
        return List.copyOf(contents);
    }

    synchronized int count() {
        return contents.size();
    }

    private final class Listener implements FrameListener {
        @Override
        public void onFrame(ServerFrame frame, String rawText) {
            if (frame instanceof ServerFrame.Msg msg && channel.equals(msg.to()) && !"@server".equals(msg.from())) {
                synchronized (ChannelRecorder.this) {
                    contents.add(msg.content());
                }
            }
        }
    }

    @Override
    public void close() throws InterruptedException {
        closing.countDown();
        client.close();
        thread.join(5000);
    }
}
