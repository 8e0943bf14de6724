package io.agentchat.daemon;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.agentchat.client.AgentChatClient;
import io.agentchat.client.Backoff;
import io.agentchat.client.Connection;
import io.agentchat.client.FrameListener;
import io.agentchat.protocol.ClientFrame;
import io.agentchat.protocol.ServerFrame;
import io.agentchat.server.AgentChatServer;
import io.agentchat.server.ServerConfig;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/** The whole daemon in-process against a real relay, with real files and real writer processes. */
@Timeout(value = 180, unit = TimeUnit.SECONDS)
class DaemonDeliveryTest {

    @TempDir
    Path home;

    @RegisterExtension
    final ClosedAfterEach closed = new ClosedAfterEach();

    private static AgentChatServer server(int port, Duration rateLimit, boolean framesUnlimited) throws Exception {
        ServerConfig.Builder b = ServerConfig.builder().host("127.0.0.1").port(port).rateLimit(rateLimit)
                .bufferSize(10_000).idlePrompt(Duration.ZERO).dataDir(null);
        if (framesUnlimited) {
            b.framesPerSecond(0);
        }
        return new AgentChatServer(b.build()).start();
    }

    private Daemon daemon(String name, URI uri, Duration serverLimit, List<String> channels) throws Exception {
        DaemonConfig config = DaemonConfig.builder(PersonaPaths.of(home, name), uri).channels(channels)
                .sendInterval(DaemonConfig.sendIntervalFor(serverLimit))
                .backoff(new Backoff(Duration.ofMillis(100), Duration.ofMillis(500)))
                .build();
        Daemon daemon = closed.track(Daemon.start(config));
        daemon.connected().get(20, TimeUnit.SECONDS);
        return daemon;
    }

    private static void append(Path file, String... lines) throws Exception {
        StringBuilder text = new StringBuilder();
        for (String line : lines) {
            text.append(line).append('\n');
        }
        Files.writeString(file, text, StandardCharsets.UTF_8, StandardOpenOption.CREATE, StandardOpenOption.APPEND);
    }

    @Test
    void fourWriterProcessesAndAServerRestartLoseNothingKeepOrderAndRepeatAtMostTheLineInFlight() throws Exception {
        AgentChatServer first = server(0, Duration.ofMillis(1), true);
        int port = first.port();
        URI uri = first.uri();
        ChannelRecorder recorder = closed.track(new ChannelRecorder(uri, "#general"));
        await().atMost(10, TimeUnit.SECONDS).until(() -> recorder.joins() == 1);
        Daemon daemon = daemon("writers", uri, Duration.ofMillis(1), List.of("#general"));
        PersonaPaths paths = PersonaPaths.of(home, "writers");

        OutboxWriters writers = closed.track(new OutboxWriters(paths.outbox(), 4, 1000, 1, "#general"));
        await().atMost(60, TimeUnit.SECONDS).pollInterval(Duration.ofMillis(5)).until(() -> recorder.count() >= 1000);
        first.close();
        AgentChatServer second = closed.track(server(port, Duration.ofMillis(1), true));
        assertEquals(List.of(0, 0, 0, 0), writers.await(60));

        // The server's own record: every line it relayed comes back to the daemon as a live MSG from
        // itself, which the daemon stores in its inbox (replays are marked and not counted).
        await().atMost(90, TimeUnit.SECONDS).pollInterval(Duration.ofMillis(50))
                .until(() -> ownLiveMessages(paths, daemon).size() >= 4000);
        assertEquals(4000, daemon.linesSent());
        assertDeliveredInOrder(ownLiveMessages(paths, daemon), "echoed to the daemon", 0);
        // The listener's view: it reconnected across the restart too.
        try {
            await().atMost(30, TimeUnit.SECONDS).pollInterval(Duration.ofMillis(50))
                    .until(() -> new java.util.HashSet<>(recorder.contents()).size() >= 4000);
        } catch (org.awaitility.core.ConditionTimeoutException e) {
            // fall through: the assertion names what is missing
        }
        // A line in flight when the server went down may have been relayed without its echo
        // reaching the daemon; the daemon must resend it (no message ids), so the listener may see
        // that one line twice. Nothing else may repeat, and nothing may be missing or out of order.
        assertDeliveredInOrder(recorder.contents(), "seen by the listener", 1);
        assertTrue(recorder.joins() >= 2, "the recorder followed the restart");
        assertFalse(Files.exists(paths.outboxRejected()), "nothing was rejected");
        second.close();
    }

    private static List<String> ownLiveMessages(PersonaPaths paths, Daemon daemon) throws Exception {
        String self = daemon.connected().get();
        List<String> contents = new ArrayList<>();
        for (String line : InboxFollower.completeLines(paths.inbox())) {
            var node = new com.fasterxml.jackson.databind.ObjectMapper().readTree(line);
            if ("MSG".equals(node.path("type").asText()) && self.equals(node.path("from").asText())
                    && !node.path("replay").asBoolean(false)) {
                contents.add(node.path("content").asText());
            }
        }
        return contents;
    }

    /** Per writer, first deliveries are exactly 0..999 in order; at most {@code maxRepeats} repeats in all. */
    private static void assertDeliveredInOrder(List<String> contents, String what, int maxRepeats) {
        List<String> distinct = new ArrayList<>(new java.util.LinkedHashSet<>(contents));
        assertTrue(contents.size() - distinct.size() <= maxRepeats, what + ": " + (contents.size() - distinct.size())
                + " repeated lines, at most " + maxRepeats + " allowed");
        Map<String, List<Integer>> byWriter = new TreeMap<>();
        for (String content : distinct) {
            String[] parts = content.split("-");
            byWriter.computeIfAbsent(parts[0], k -> new ArrayList<>()).add(Integer.parseInt(parts[1]));
        }
        List<Integer> expected = new ArrayList<>();
        for (int i = 0; i < 1000; i++) {
            expected.add(i);
        }
        assertEquals(List.of("w0", "w1", "w2", "w3"), List.copyOf(byWriter.keySet()), what);
        byWriter.forEach((writer, seen) -> assertEquals(expected, seen, what + ", " + writer
                + ": lost, repeated or reordered"));
    }

    @Test
    void pacingAtTheDefaultOneSecondLimitLosesNothingToRateLimiting() throws Exception {
        AgentChatServer relay = closed.track(server(0, Duration.ofMillis(1000), false));
        ChannelRecorder recorder = closed.track(new ChannelRecorder(relay.uri(), "#general"));
        await().atMost(10, TimeUnit.SECONDS).until(() -> recorder.joins() == 1);
        daemon("paced", relay.uri(), Duration.ofMillis(1000), List.of("#general"));
        PersonaPaths paths = PersonaPaths.of(home, "paced");
        long start = System.nanoTime();
        append(paths.outbox(), "{\"to\":\"#general\",\"content\":\"p1\"}", "{\"to\":\"#general\",\"content\":\"p2\"}",
                "{\"to\":\"#general\",\"content\":\"p3\"}", "{\"to\":\"#general\",\"content\":\"p4\"}");
        await().atMost(15, TimeUnit.SECONDS).until(() -> recorder.count() >= 4);
        long elapsedMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
        assertEquals(List.of("p1", "p2", "p3", "p4"), recorder.contents());
        assertTrue(elapsedMs >= 3000, "paced at >= 1 s per line, took " + elapsedMs + " ms");
        String inbox = Files.readString(paths.inbox());
        assertFalse(inbox.contains("RATE_LIMITED"), "no line was refused for its rate: " + inbox);
    }

    @Test
    void serverErrorsReachTheInboxAndRefusedLinesTheRejectsFileWhileLaterLinesFlow() throws Exception {
        AgentChatServer relay = closed.track(server(0, Duration.ZERO, true));
        ChannelRecorder recorder = closed.track(new ChannelRecorder(relay.uri(), "#general"));
        await().atMost(10, TimeUnit.SECONDS).until(() -> recorder.joins() == 1);
        daemon("errors", relay.uri(), Duration.ZERO, List.of("#general"));
        PersonaPaths paths = PersonaPaths.of(home, "errors");
        append(paths.outbox(), "{\"to\":\"#nosuch\",\"content\":\"lost?\"}", "{\"to\":\"@nobody99\",\"content\":\"x\"}",
                "not json", "{\"to\":\"#general\",\"content\":\"after\"}");
        await().atMost(10, TimeUnit.SECONDS).until(() -> recorder.contents().contains("after"));
        String rejects = Files.readString(paths.outboxRejected());
        assertTrue(rejects.contains("\"reason\":\"server: Channel #nosuch not found\""), rejects);
        assertTrue(rejects.contains("\"reason\":\"server: Agent @nobody99 not found\""), rejects);
        assertTrue(rejects.contains("not valid JSON"), rejects);
        await().atMost(5, TimeUnit.SECONDS).untilAsserted(() -> {
            String inbox = Files.readString(paths.inbox());
            assertTrue(inbox.contains("{\"type\":\"ERROR\","), inbox);
            assertTrue(inbox.contains("\"code\":\"CHANNEL_NOT_FOUND\",\"message\":\"Channel #nosuch not found\""), inbox);
            assertTrue(inbox.contains("\"code\":\"AGENT_NOT_FOUND\""), inbox);
        });
    }

    @Test
    void aChannelJoinedForAnOutboxLineIsRejoinedAfterAReconnect() throws Exception {
        AgentChatServer first = server(0, Duration.ZERO, true);
        int port = first.port();
        Daemon daemon = daemon("rejoin", first.uri(), Duration.ZERO, List.of("#general"));
        PersonaPaths paths = PersonaPaths.of(home, "rejoin");
        append(paths.outbox(), "{\"to\":\"#discovery\",\"content\":\"joining\"}");
        await().atMost(10, TimeUnit.SECONDS).until(() -> daemon.linesSent() == 1);
        assertEquals(List.of("#general", "#discovery"), daemon.link().channels());

        first.close();
        AgentChatServer second = closed.track(server(port, Duration.ZERO, true));
        ChannelRecorder peer = closed.track(new ChannelRecorder(second.uri(), "#discovery"));
        await().atMost(10, TimeUnit.SECONDS).until(() -> peer.joins() == 1);
        await().atMost(20, TimeUnit.SECONDS).until(() -> {
            ServerLink.LiveConnection s = daemon.link().live();
            return s != null && s.joined().contains("#discovery");
        });
        peer.connection().send("#discovery", "after the restart");
        await().atMost(10, TimeUnit.SECONDS).untilAsserted(() ->
                assertTrue(Files.readString(paths.inbox()).contains("\"content\":\"after the restart\"")));
    }

    @Test
    void aPeersVerificationRequestIsAnsweredWithThePersonaKey() throws Exception {
        AgentChatServer relay = closed.track(server(0, Duration.ZERO, true));
        Daemon daemon = daemon("verified", relay.uri(), Duration.ZERO, List.of("#general"));
        String target = daemon.connected().get();
        CompletableFuture<ServerFrame.VerifySuccess> success = new CompletableFuture<>();
        AgentChatClient client = closed.track(new AgentChatClient());
        Connection asker = closed.track(client.connect(relay.uri(), "asker", io.agentchat.identity.Identity.generate("asker",
                java.time.Clock.systemUTC()), new FrameListener() {
                    @Override
                    public void onFrame(ServerFrame frame, String rawText) {
                        if (frame instanceof ServerFrame.VerifySuccess s && s.agent() != null) {
                            success.complete(s);
                        }
                    }
                }));
        asker.sendFrame(new ClientFrame.VerifyRequest(target, "nonce-0123456789abcdef"));
        ServerFrame.VerifySuccess answer = success.get(10, TimeUnit.SECONDS);
        assertEquals(target, answer.agent());
        assertEquals(daemon.identity().pubkey(), answer.pubkey());
    }

    @Test
    void aServerThatStaysDownEndsTheDaemonWithGaveUp() throws Exception {
        AgentChatServer gone = server(0, Duration.ZERO, true);
        URI uri = gone.uri();
        gone.close();
        DaemonConfig config = DaemonConfig.builder(PersonaPaths.of(home, "lonely"), uri)
                .backoff(new Backoff(Duration.ofMillis(50), Duration.ofMillis(200)))
                .maxOutage(Duration.ofSeconds(1)).build();
        Daemon daemon = closed.track(Daemon.start(config));
        assertEquals(Daemon.Exit.GAVE_UP, daemon.exit().get(20, TimeUnit.SECONDS));
        assertEquals(1, Daemon.Exit.GAVE_UP.code());
    }

    @Test
    void theStopFileEndsTheDaemonCleanly() throws Exception {
        AgentChatServer relay = closed.track(server(0, Duration.ZERO, true));
        Daemon daemon = daemon("stoppable", relay.uri(), Duration.ZERO, List.of("#general"));
        PersonaPaths paths = PersonaPaths.of(home, "stoppable");
        assertTrue(Files.exists(paths.pidFile()));
        Files.writeString(paths.daemonStopFile(), "");
        assertEquals(Daemon.Exit.STOPPED, daemon.exit().get(10, TimeUnit.SECONDS));
        daemon.close();
        assertFalse(Files.exists(paths.pidFile()), "pid file removed");
        assertFalse(Files.exists(paths.daemonStopFile()), "stop file consumed");
        assertFalse(PersonaLock.isHeld(paths.lockFile()));
    }
}
