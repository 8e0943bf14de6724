package io.agentchat.daemon;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.agentchat.client.AgentChatClient;
import io.agentchat.client.ClientOptions;
import io.agentchat.client.Connection;
import io.agentchat.client.FrameListener;
import io.agentchat.server.TestRelay;
import io.agentchat.server.core.RecoveryConfig;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/** Review 10 attacks on the daemon's resume (docs/daemon-files.md, "Resume after a reconnect or restart"). */
@Timeout(value = 180, unit = TimeUnit.SECONDS)
class DaemonResumeAttackTest {
    private static final Duration WAIT = Duration.ofSeconds(30);

    @TempDir
    Path home;

    @RegisterExtension
    final ClosedAfterEach closed = new ClosedAfterEach();

    private static List<JsonNode> channelMessages(PersonaPaths paths, String from) throws Exception {
        return InboxFollower.messages(paths.inbox(), from, "#general");
    }

    private static void awaitStarted(PersonaPaths paths, int times) {
        await().atMost(WAIT).pollInterval(Duration.ofMillis(50)).until(() -> Files.exists(paths.log())
                && Files.readString(paths.log()).split("\\] \\[INFO\\] Daemon started", -1).length - 1 >= times);
    }

    /**
     * When a resume is refused (server restarted, history out of room, an absence over the recovery
     * window), what the daemon missed and the replay buffer still holds is written without the replay
     * marker (LateReplays), so chat.py shows it. Before the fix it was written marked and chat.py hid
     * it (found by a hostile review; this test failed then).
     */
    @Test
    void missedMessagesThatComeBackOnlyAsReplayAreHiddenFromTheAgentByChatPy() throws Exception {
        RecoveryConfig d = RecoveryConfig.defaults();
        // Recovery refused for every resume, as when --history-bytes is held by someone else.
        RecoveryConfig noHistory = new RecoveryConfig(0, d.historyAge(), d.historyBytes(), d.heldMessages(),
                d.heldAge(), d.heldBytesPerAgent(), d.heldBytes());
        TestRelay relay = closed.track(TestRelay.start(TestRelay.defaults().framesPerSecond(0).idlePrompt(Duration.ZERO)
                .recovery(noHistory).build()));
        PersonaPaths paths = PersonaPaths.of(home, "hidden");
        DaemonChild first = closed.track(DaemonChild.start(home, home.resolve("1.out"), "daemon", relay.url(), "--name",
                "hidden", "--home", home.toString(), "--channels", "#general"));
        awaitStarted(paths, 1);
        AgentChatClient client = closed.track(new AgentChatClient(ClientOptions.defaults().withKeepAlive(Duration.ZERO)));
        Connection feeder = client.connect(relay.uri(), "feeder", null, FrameListener.NONE);
        feeder.join("#general");
        String feederId = feeder.agentId();
        feeder.send("#general", "seen-0");
        await().atMost(WAIT).until(() -> channelMessages(paths, feederId).size() == 1);
        first.sigterm();
        assertEquals(0, first.awaitExit(20));

        for (int i = 0; i < 3; i++) {
            feeder.send("#general", "missed-" + i);
        }
        closed.track(DaemonChild.start(home, home.resolve("2.out"), "daemon", relay.url(), "--name", "hidden", "--home",
                home.toString(), "--channels", "#general"));
        awaitStarted(paths, 2);
        await().atMost(WAIT).until(() -> channelMessages(paths, feederId).size() == 4);

        Path chatPy = Path.of("..", "helpers", "chat.py").toAbsolutePath().normalize();
        Process check = new ProcessBuilder("python3", chatPy.toString(), "--home", home.toString(), "--name", "hidden",
                "check", "--limit", "0").redirectErrorStream(true).start();
        String shown = new String(check.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        check.waitFor(30, TimeUnit.SECONDS);
        List<JsonNode> lines = channelMessages(paths, feederId);
        assertTrue(shown.contains("missed-0") && shown.contains("missed-2"),
                "the agent never sees the messages it missed; inbox lines: " + lines + "\nchat.py check printed:\n"
                        + shown);
    }

    /**
     * At start the positions are raised by the whole inbox, not only the tail that seeds the replay
     * de-duplication: a daemon killed after syncing a batch of long lines but before replacing the
     * position file must not take a channel's last line, early in that batch, for new. Before the fix
     * the tail alone was read and the line was written twice (found by a hostile review).
     */
    @Test
    void aChannelWhoseLastLineFellOutOfTheTailWindowIsResumedFromAStalePosition() throws Exception {
        PersonaPaths paths = PersonaPaths.of(home, "window");
        paths.createDirectories();
        StringBuilder inbox = new StringBuilder();
        inbox.append("{\"type\":\"MSG\",\"ts\":1,\"from\":\"@f\",\"to\":\"#a\",\"content\":\"a-51\",\"seq\":51,\"epoch\":\"e1\"}\n");
        String big = "b".repeat(1000);
        for (int i = 1; i <= 100; i++) {
            inbox.append("{\"type\":\"MSG\",\"ts\":2,\"from\":\"@f\",\"to\":\"#b\",\"content\":\"").append(big).append(i)
                    .append("\",\"seq\":").append(i).append(",\"epoch\":\"e2\"}\n");
        }
        Files.writeString(paths.inbox(), inbox.toString());
        // The file as it was before that batch: #a at 50, #b not yet seen.
        Files.writeString(paths.inboxPosition(), "{\"version\":1,\"channels\":{\"#a\":{\"seq\":50,\"epoch\":\"e1\"}}}");

        try (InboxWriter writer = new InboxWriter(paths, new InboxWriter.Config(16L << 20, 1000, 1000, 64 * 1024),
                Clock.systemUTC())) {
            // The server, asked to resume #a after 50, sends 51 again.
            writer.offer("{\"type\":\"MSG\",\"ts\":1,\"from\":\"@f\",\"to\":\"#a\",\"content\":\"a-51\",\"seq\":51,\"epoch\":\"e1\"}");
            writer.flush().get(10, TimeUnit.SECONDS);
        }
        long copies = Files.readAllLines(paths.inbox()).stream().filter(l -> l.contains("\"a-51\"")).count();
        assertEquals(1, copies, "a-51 written twice: the tail window missed it and the position file was behind");
    }
}
