package io.agentchat.server;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The cluster client (Lettuce) reads its command connection and its Pub/Sub connection on a small
 * pool of event-loop threads (two on a two-core machine), each connection given a loop in turn
 * when it connects, again at every reconnect. After Redis restarts, the command connection and the
 * channels' subscription share a loop about every second time (measured: 13 of 37 restarts). Then a
 * delivery that waited for a channel's lock on that loop, while a resuming JOIN held the lock and
 * waited for Redis's answer on the command connection, which that same loop had to read, stopped
 * both: the JOIN answered recovered:false after the 5 s command timeout, and nothing was delivered
 * or answered on that loop meanwhile (docs/cluster.md, "Known limits"). This test failed so.
 *
 * <p>Whether the two connections share a loop is not visible from outside the client, so Redis is
 * restarted {@link #RESTARTS} times (missing a shared loop every time: about (24/37)^15, 0.2%),
 * and after each restart a few resuming JOINs are made on relay B while the channel's subscription
 * is kept busy (4,000 a second): duplicates of a message already delivered, published straight to
 * the channel's topic as another relay's would be, each taking the channel's lock and handing
 * nothing out.
 */
@Timeout(value = 240, unit = TimeUnit.SECONDS)
class ClusterSharedLoopTest extends ClusterHarness {
    private static final int RESTARTS = 15;
    private static final int JOINS = 10;
    /** A resuming JOIN is one round trip to Redis; the stall it met took the 5 s command timeout. */
    private static final Duration PROMPT = Duration.ofSeconds(2);

    @Override
    protected ServerConfig.Builder relayConfig(String name) {
        return super.relayConfig(name).noRateLimits(); // JOIN and LEAVE over and over
    }

    @Test
    void aResumingJoinIsAnsweredPromptlyWhateverLoopsLettuceGaveTheConnections() throws Exception {
        try (TestAgent talker = joined(relayA, "talker"); TestAgent resumer = joined(relayB, "resumer")) {
            for (int round = 0; round <= RESTARTS; round++) {
                if (round > 0) {
                    redis.restart();
                }
                JsonNode last = lastMessageAfterRestart(talker, resumer, round);
                String epoch = last.get("epoch").asText();
                resumer.send("{\"type\":\"LEAVE\",\"channel\":\"#general\"}");
                resumer.await("LEFT");
                try (Flood flood = Flood.start(redis.port(), "agentchat:{#general}:msg", "1 " + epoch + " {}")) {
                    for (int join = 0; join < JOINS; join++) {
                        long started = System.nanoTime();
                        // From seq 0: the history's messages after it are read from Redis, under the channel's lock.
                        resumer.send("{\"type\":\"JOIN\",\"channel\":\"#general\",\"since\":0,\"epoch\":\"" + epoch + "\"}");
                        JsonNode joined = awaitFrame(resumer, "JOINED");
                        Duration took = Duration.ofNanos(System.nanoTime() - started);
                        String what = "restart " + round + ", JOIN " + join + " (" + flood.sent() + " duplicates published): took "
                                + took.toMillis() + " ms, answered " + joined;
                        assertTrue(joined.path("recovered").asBoolean(), what);
                        assertTrue(took.compareTo(PROMPT) < 0, what);
                        resumer.send("{\"type\":\"LEAVE\",\"channel\":\"#general\"}");
                        awaitFrame(resumer, "LEFT");
                    }
                }
                resumer.send("{\"type\":\"JOIN\",\"channel\":\"#general\"}");
                awaitFrame(resumer, "JOINED");
            }
        }
    }

    /**
     * A message from the talker as the resumer got it: once Lettuce has reconnected (until then a
     * post is refused), the first of the new history.
     */
    private static JsonNode lastMessageAfterRestart(TestAgent talker, TestAgent resumer, int round) {
        List<JsonNode> arrived = new ArrayList<>();
        int[] tries = {0};
        await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(100)).until(() -> {
            talker.send(msg("round-" + round + "-" + tries[0]++));
            for (JsonNode f : resumer.takeReceived()) {
                if (f.path("content").asText().startsWith("round-" + round + "-")) {
                    arrived.add(f);
                }
            }
            return !arrived.isEmpty();
        });
        return arrived.get(arrived.size() - 1);
    }

    /** Waits longer than {@link TestAgent#WAIT}: the stall this test finds lasts it exactly. */
    private static JsonNode awaitFrame(TestAgent agent, String type) {
        JsonNode[] found = {null};
        await().atMost(Duration.ofSeconds(15)).pollInterval(Duration.ofMillis(5)).until(() -> {
            for (JsonNode f : agent.takeReceived()) {
                if (found[0] == null && type.equals(f.path("type").asText())) {
                    found[0] = f;
                }
            }
            return found[0] != null;
        });
        return found[0];
    }

    /**
     * PUBLISH of one message, {@link #BATCH} every millisecond (a busy channel, well within what a
     * relay delivers), from a connection of its own; each batch's answers are read before the next.
     */
    private static final class Flood implements AutoCloseable {
        private static final int BATCH = 4;
        private final Socket socket = new Socket();
        private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor();
        private final AtomicLong sent = new AtomicLong();

        private Flood(int port) throws IOException {
            socket.connect(new InetSocketAddress("127.0.0.1", port), 1000);
        }

        static Flood start(int port, String topic, String message) throws IOException {
            Flood flood = new Flood(port);
            byte[] command = resp("PUBLISH", topic, message);
            byte[] batch = new byte[command.length * BATCH];
            for (int i = 0; i < BATCH; i++) {
                System.arraycopy(command, 0, batch, i * command.length, command.length);
            }
            flood.timer.scheduleAtFixedRate(() -> flood.send(batch), 0, 1, TimeUnit.MILLISECONDS);
            return flood;
        }

        long sent() {
            return sent.get();
        }

        private void send(byte[] batch) {
            try {
                OutputStream out = socket.getOutputStream();
                InputStream in = socket.getInputStream();
                out.write(batch);
                out.flush();
                for (int answers = 0; answers < BATCH; ) { // each answer is ":N\r\n"
                    int b = in.read();
                    if (b < 0) {
                        throw new IOException("Redis closed the connection");
                    }
                    if (b == '\n') {
                        answers++;
                    }
                }
                sent.addAndGet(BATCH);
            } catch (IOException e) {
                throw new UncheckedIOException(e); // ends the flood
            }
        }

        private static byte[] resp(String... parts) {
            StringBuilder command = new StringBuilder("*").append(parts.length).append("\r\n");
            for (String part : parts) {
                command.append('$').append(part.getBytes(StandardCharsets.UTF_8).length).append("\r\n").append(part).append("\r\n");
            }
            return command.toString().getBytes(StandardCharsets.UTF_8);
        }

        @Override
        public void close() throws Exception {
            timer.shutdownNow();
            socket.close();
            timer.awaitTermination(5, TimeUnit.SECONDS);
        }
    }
}
