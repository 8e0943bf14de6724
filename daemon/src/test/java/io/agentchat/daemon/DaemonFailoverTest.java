package io.agentchat.daemon;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.agentchat.client.AgentChatClient;
import io.agentchat.client.Backoff;
import io.agentchat.client.ClientOptions;
import io.agentchat.client.Connection;
import io.agentchat.client.FrameListener;
import io.agentchat.client.ServerAddresses;
import io.agentchat.server.RedisProcess;
import io.agentchat.server.TestRelay;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * The daemon given two relays of one cluster (docs/cluster.md, "Clients fail over"): a real
 * redis-server, two relays in-process with {@code --cluster}, the daemon as a real child process
 * ({@code agentchat daemon ws://a,ws://b}), a feeder posting through relay B while the daemon's
 * relay A is stopped. The daemon moves to B and resumes from its inbox's position, so
 * the inbox holds every message once, in order, none marked replayed.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class DaemonFailoverTest {

    private static final Duration WAIT = Duration.ofSeconds(30);
    /** Below the relays' recovery history (1000 messages), so the whole gap can be resumed. */
    private static final int MAX_FED = 600;

    @TempDir
    Path home;

    @RegisterExtension
    final ClosedAfterEach closed = new ClosedAfterEach();

    @Test
    void theDaemonMovesToTheNextRelayAndMissesNothing() throws Exception {
        RedisProcess redis = closed.track(RedisProcess.start());
        TestRelay relayA = closed.track(TestRelay.start(relayConfig(redis, "relay-a")));
        TestRelay relayB = closed.track(TestRelay.start(relayConfig(redis, "relay-b")));
        PersonaPaths paths = PersonaPaths.of(home, "failover");
        DaemonChild daemon = closed.track(DaemonChild.start(home, home.resolve("failover.out"), "daemon",
                relayA.url() + "," + relayB.url(), "--name", "failover", "--home", home.toString(),
                "--channels", "#general"));
        awaitLog(paths, "Connected as @", daemon);
        assertTrue(Files.readString(paths.log()).contains(" to " + relayA.uri()), "the first relay that answers");

        AgentChatClient client = closed.track(new AgentChatClient(ClientOptions.defaults().withKeepAlive(Duration.ZERO)));
        Connection feeder = client.connect(relayB.uri(), "feeder", null, FrameListener.NONE);
        feeder.join("#general");
        String feederId = feeder.agentId();
        feed(feeder, 0, 10);
        awaitInbox(paths, feederId, "f-9");

        // The feeder keeps posting through B while A, the daemon's relay, stops.
        AtomicInteger fed = new AtomicInteger(10);
        AtomicBoolean stop = new AtomicBoolean();
        closed.track(() -> stop.set(true));
        CompletableFuture<Void> feeding = CompletableFuture.runAsync(() -> {
            while (!stop.get() && fed.get() < MAX_FED) {
                feeder.send("#general", "f-" + fed.getAndIncrement());
            }
        });
        await().atMost(WAIT).until(() -> fed.get() >= 20);
        relayA.close();
        awaitLog(paths, "Connected as @[^ ]+ to " + Pattern.quote(relayB.uri().toString()), daemon);
        stop.set(true);
        feeding.get(WAIT.toSeconds(), TimeUnit.SECONDS);
        int total = fed.get() + 10;
        feed(feeder, fed.get(), total);
        awaitInbox(paths, feederId, "f-" + (total - 1));

        List<JsonNode> frames = messages(paths, feederId);
        List<String> expected = new ArrayList<>();
        for (int i = 0; i < total; i++) {
            expected.add("f-" + i);
        }
        assertEquals(expected, frames.stream().map(f -> f.path("content").asText()).toList(),
                "every message once, in order");
        for (int i = 1; i < frames.size(); i++) {
            assertEquals(frames.get(i - 1).path("seq").asLong() + 1, frames.get(i).path("seq").asLong(),
                    "consecutive seqs at " + i);
            assertEquals(frames.get(0).path("epoch").asText(), frames.get(i).path("epoch").asText(), "one epoch");
        }
        assertTrue(frames.stream().noneMatch(f -> f.path("replay").asBoolean(false)),
                "resumed messages are new to the agent, not replayed history");
        assertTrue(Files.readString(paths.log()).contains("[INFO] Joined #general, resumed after seq "),
                "B resumed the channel from the inbox's position");
    }

    @Test
    void aRefusingFirstRelayIsFollowedAtOnceByTheNextWithoutABackoffWait() throws Exception {
        TestRelay relay = closed.track(TestRelay.start());
        URI dead;
        try (ServerSocket socket = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
            dead = URI.create("ws://127.0.0.1:" + socket.getLocalPort() + "/");
        }
        // A backoff step would be 30-60 s: connecting within the wait shows none was taken.
        Daemon daemon = closed.track(Daemon.start(DaemonConfig.builder(PersonaPaths.of(home, "skips"),
                        new ServerAddresses(List.of(dead, relay.uri())))
                .channels(List.of("#general")).backoff(new Backoff(Duration.ofSeconds(60), Duration.ofSeconds(60)))
                .build()));
        daemon.connected().get(WAIT.toSeconds(), TimeUnit.SECONDS);
        assertEquals(relay.uri(), daemon.link().live().connection().uri());
    }

    @Test
    void aDroppedConnectionMovesOnToTheNextRelayEvenIfTheFirstStillAnswers() throws Exception {
        TestRelay first = closed.track(TestRelay.start());
        TestRelay second = closed.track(TestRelay.start());
        Daemon daemon = closed.track(Daemon.start(DaemonConfig.builder(PersonaPaths.of(home, "moves"),
                        new ServerAddresses(List.of(first.uri(), second.uri())))
                .channels(List.of("#general")).backoff(new Backoff(Duration.ofMillis(50), Duration.ofMillis(100)))
                .build()));
        daemon.connected().get(WAIT.toSeconds(), TimeUnit.SECONDS);
        for (TestRelay expected : List.of(first, second, first)) {
            ServerLink.LiveConnection live = daemon.link().live();
            assertEquals(expected.uri(), live.connection().uri(), "round-robin over the list");
            daemon.link().drop(live.connection()).get(WAIT.toSeconds(), TimeUnit.SECONDS);
            await().atMost(WAIT).pollInterval(Duration.ofMillis(20)).until(() -> daemon.link().live() != null);
        }
        assertEquals(second.uri(), daemon.link().live().connection().uri());
    }

    private static void feed(Connection feeder, int from, int to) {
        for (int i = from; i < to; i++) {
            feeder.send("#general", "f-" + i);
        }
    }

    private static void awaitLog(PersonaPaths paths, String regex, DaemonChild daemon) throws Exception {
        Pattern pattern = Pattern.compile(regex);
        try {
            await().atMost(WAIT).pollInterval(Duration.ofMillis(50))
                    .until(() -> Files.exists(paths.log()) && pattern.matcher(Files.readString(paths.log())).find());
        } catch (org.awaitility.core.ConditionTimeoutException e) {
            throw new AssertionError("no log line matching " + regex + "; the daemon's output:\n" + daemon.output(), e);
        }
    }

    private static io.agentchat.server.ServerConfig relayConfig(RedisProcess redis, String name) {
        return TestRelay.defaults().name(name).cluster(redis.uri()).framesPerSecond(0).idlePrompt(Duration.ZERO)
                .build();
    }

    /** The inbox's MSG frames from {@code from} to #general, in file order. */
    private static List<JsonNode> messages(PersonaPaths paths, String from) throws Exception {
        return InboxFollower.messages(paths.inbox(), from, "#general");
    }

    private static void awaitInbox(PersonaPaths paths, String from, String content) {
        await().atMost(WAIT).pollInterval(Duration.ofMillis(20))
                .until(() -> messages(paths, from).stream().anyMatch(f -> content.equals(f.path("content").asText())));
    }
}
