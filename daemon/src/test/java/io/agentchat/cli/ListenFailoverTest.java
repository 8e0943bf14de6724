package io.agentchat.cli;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.agentchat.client.AgentChatClient;
import io.agentchat.client.ClientOptions;
import io.agentchat.client.Connection;
import io.agentchat.client.FrameListener;
import io.agentchat.client.ServerUrl;
import io.agentchat.server.RedisProcess;
import io.agentchat.server.ServerConfig;
import io.agentchat.server.TestRelay;
import java.io.InputStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import picocli.CommandLine;

/**
 * {@code listen ws://a,ws://b} over a real cluster (redis-server, two relays with {@code --cluster}):
 * relay A stops while a feeder posts through B; listen moves to B, resumes after the last message
 * it printed, and prints every message once, in order.
 */
@Timeout(value = 90, unit = TimeUnit.SECONDS)
class ListenFailoverTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Duration WAIT = Duration.ofSeconds(30);
    private static final int MAX_FED = 300;
    /** More than the feeder sends; padding messages after the check make listen reach it and end. */
    private static final int MAX_PRINTED = 400;

    private final List<AutoCloseable> opened = new ArrayList<>();

    @AfterEach
    void closeAll() throws Exception {
        for (int i = opened.size() - 1; i >= 0; i--) {
            opened.get(i).close();
        }
    }

    private <T extends AutoCloseable> T track(T resource) {
        opened.add(resource);
        return resource;
    }

    @Test
    void listenMovesToTheNextRelayAndPrintsEveryMessageOnce() throws Exception {
        RedisProcess redis = track(RedisProcess.start());
        TestRelay relayA = track(TestRelay.start(relayConfig(redis, "relay-a")));
        TestRelay relayB = track(TestRelay.start(relayConfig(redis, "relay-b")));
        AgentChatClient client = track(new AgentChatClient(ClientOptions.defaults().withKeepAlive(Duration.ZERO)));
        URI uriA = ServerUrl.parse(relayA.url());
        Connection feeder = client.connect(relayB.uri(), "feeder", null, FrameListener.NONE);
        feeder.join("#general");

        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        CommandLine commandLine = AgentchatCommand.commandLine(new AgentchatCommand(java.util.Map.of(),
                InputStream.nullInputStream()));
        commandLine.setOut(new PrintWriter(out, true));
        commandLine.setErr(new PrintWriter(err, true));
        CompletableFuture<Integer> listen = CompletableFuture.supplyAsync(() -> commandLine.execute("listen",
                relayA.url() + "," + relayB.url(), "#general", "-m", Integer.toString(MAX_PRINTED)));
        track(() -> listen.cancel(true));
        await().atMost(WAIT).until(() -> err.toString().contains("Joined: #general") || listen.isDone());
        for (int i = 0; i < 10; i++) {
            feeder.send("#general", "f-" + i);
        }
        await().atMost(WAIT).until(() -> out.toString().contains("\"f-9\""));

        AtomicInteger fed = new AtomicInteger(10);
        AtomicBoolean stop = new AtomicBoolean();
        track(() -> stop.set(true));
        CompletableFuture<Void> feeding = CompletableFuture.runAsync(() -> {
            while (!stop.get() && fed.get() < MAX_FED) {
                feeder.send("#general", "f-" + fed.getAndIncrement());
            }
        });
        await().atMost(WAIT).until(() -> fed.get() >= 20);
        relayA.close();
        String moved = "Reconnected to " + ServerUrl.parse(relayB.url()) + " as @";
        await().atMost(WAIT).untilAsserted(() -> assertTrue(err.toString().contains(moved), err.toString()));
        stop.set(true);
        feeding.get(WAIT.toSeconds(), TimeUnit.SECONDS);
        int total = fed.get();
        await().atMost(WAIT).until(() -> out.toString().contains("\"f-" + (total - 1) + "\""));
        for (int pad = 0; !listen.isDone() && pad < MAX_PRINTED; pad++) {
            feeder.send("#general", "pad-" + pad);
        }
        assertEquals(0, listen.get(WAIT.toSeconds(), TimeUnit.SECONDS), err.toString());

        List<String> fromFeeder = new ArrayList<>();
        for (String line : out.toString().split("\n")) {
            JsonNode frame = JSON.readTree(line);
            assertTrue(!frame.path("replay").asBoolean(false), "nothing printed is replayed history: " + line);
            if (frame.path("content").asText().startsWith("f-")) {
                fromFeeder.add(frame.path("content").asText());
            }
        }
        List<String> expected = new ArrayList<>();
        for (int i = 0; i < total; i++) {
            expected.add("f-" + i);
        }
        assertEquals(expected, fromFeeder, "every message once, in order");
        assertTrue(err.toString().contains("Connection to " + uriA + " closed: code 1001"),
                err.toString());
    }

    private static ServerConfig relayConfig(RedisProcess redis, String name) {
        return TestRelay.defaults().name(name).cluster(redis.uri()).framesPerSecond(0).idlePrompt(Duration.ZERO)
                .build();
    }
}
