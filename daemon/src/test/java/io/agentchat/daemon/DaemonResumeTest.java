package io.agentchat.daemon;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.agentchat.client.AgentChatClient;
import io.agentchat.client.Backoff;
import io.agentchat.client.ClientOptions;
import io.agentchat.client.Connection;
import io.agentchat.client.FrameListener;
import io.agentchat.server.ServerConfig;
import io.agentchat.server.TestRelay;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * The daemon resumes each channel after the last message its inbox holds (docs/daemon-files.md,
 * "Resume after a reconnect or restart"): a real relay, the daemon in-process or as a real child
 * process, a feeder agent that keeps talking while the daemon is away, and the inbox read back.
 * Every gap holds more messages than the relay's replay buffer (20), so a plain rejoin would lose
 * some.
 */
@Timeout(value = 180, unit = TimeUnit.SECONDS)
class DaemonResumeTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Duration WAIT = Duration.ofSeconds(30);

    @TempDir
    Path home;

    @RegisterExtension
    final ClosedAfterEach closed = new ClosedAfterEach();

    private static ServerConfig.Builder relayConfig() {
        return TestRelay.defaults().framesPerSecond(0).idlePrompt(Duration.ZERO);
    }

    private Connection feeder(TestRelay relay) {
        AgentChatClient client = closed.track(new AgentChatClient(ClientOptions.defaults().withKeepAlive(Duration.ZERO)));
        Connection connection = client.connect(relay.uri(), "feeder", null, FrameListener.NONE);
        connection.join("#general");
        return connection;
    }

    private static void feed(Connection feeder, int from, int to) {
        for (int i = from; i < to; i++) {
            feeder.send("#general", "f-" + i);
        }
    }

    private DaemonChild child(TestRelay relay, String name) throws Exception {
        return closed.track(DaemonChild.start(home, home.resolve(name + ".out"), "daemon", relay.url(), "--name", name,
                "--home", home.toString(), "--channels", "#general"));
    }

    private static void awaitStarted(PersonaPaths paths, int times, DaemonChild child) throws Exception {
        try {
            await().atMost(WAIT).pollInterval(Duration.ofMillis(50)).until(() -> Files.exists(paths.log())
                    && Files.readString(paths.log()).split("\\] \\[INFO\\] Daemon started", -1).length - 1 >= times);
        } catch (org.awaitility.core.ConditionTimeoutException e) {
            throw new AssertionError("daemon not started " + times + " time(s); its output:\n" + child.output(), e);
        }
    }

    private static String agentIdOf(PersonaPaths paths) throws Exception {
        Matcher m = Pattern.compile("\\[INFO\\] Connected as (@\\S+)").matcher(Files.readString(paths.log()));
        assertTrue(m.find(), "the log names the daemon's id");
        return m.group(1);
    }

    /** The inbox's MSG frames from {@code from} to {@code to}, in file order. */
    private static List<JsonNode> messages(PersonaPaths paths, String from, String to) throws Exception {
        return InboxFollower.messages(paths.inbox(), from, to);
    }

    private static List<String> contents(List<JsonNode> frames) {
        return frames.stream().map(f -> f.path("content").asText()).toList();
    }

    private static List<String> expected(String prefix, int count) {
        List<String> list = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            list.add(prefix + i);
        }
        return list;
    }

    private static void awaitInbox(PersonaPaths paths, String from, String to, String content) {
        await().atMost(WAIT).pollInterval(Duration.ofMillis(20))
                .until(() -> contents(messages(paths, from, to)).contains(content));
    }

    /** Every feeder message once, in order, with consecutive seqs of one epoch, none marked replayed. */
    private static void assertEveryMessageOnceInOrder(PersonaPaths paths, String feeder, int count) throws Exception {
        List<JsonNode> frames = messages(paths, feeder, "#general");
        assertEquals(expected("f-", count), contents(frames), "every channel message once, in order");
        for (int i = 1; i < frames.size(); i++) {
            assertEquals(frames.get(i - 1).path("seq").asLong() + 1, frames.get(i).path("seq").asLong(),
                    "consecutive seqs at " + i);
            assertEquals(frames.get(0).path("epoch").asText(), frames.get(i).path("epoch").asText());
        }
        assertTrue(frames.stream().noneMatch(f -> f.path("replay").asBoolean(false)),
                "recovered messages are new to the agent, not replayed history");
    }

    /** The relay has seen {@code agent} go (so a DM to it is held, not sent into a dying socket). */
    private static void awaitGone(Connection feeder, String agent) {
        await().atMost(WAIT).pollInterval(Duration.ofMillis(20)).until(() -> feeder.listAgents("#general").stream()
                .noneMatch(a -> agent.equals(a.id()) || agent.equals("@" + a.id())));
    }

    @Test
    void aDroppedConnectionResumesWithEveryChannelMessageAndDmOnceAndInOrder() throws Exception {
        TestRelay relay = closed.track(TestRelay.start(relayConfig().build()));
        PersonaPaths paths = PersonaPaths.of(home, "dropped");
        // The reconnect comes 1-2 s after the drop: time for the feeder to say more than the replay holds.
        Daemon daemon = closed.track(Daemon.start(DaemonConfig.builder(paths, relay.uri()).channels(List.of("#general"))
                .backoff(new Backoff(Duration.ofSeconds(2), Duration.ofSeconds(2))).build()));
        String self = daemon.connected().get(20, TimeUnit.SECONDS);
        Connection feeder = feeder(relay);
        String feederId = feeder.agentId();
        feed(feeder, 0, 10);
        awaitInbox(paths, feederId, "#general", "f-9");

        ServerLink.LiveConnection live = daemon.link().live();
        daemon.link().drop(live.connection()).get(10, TimeUnit.SECONDS);
        awaitGone(feeder, self);
        feed(feeder, 10, 110);
        for (int i = 0; i < 3; i++) {
            feeder.send(self, "dm-" + i);
        }
        assertNull(daemon.link().live(), "all of it was said while the daemon was away");

        await().atMost(WAIT).until(() -> daemon.link().live() != null);
        feed(feeder, 110, 120);
        awaitInbox(paths, feederId, "#general", "f-119");
        assertEveryMessageOnceInOrder(paths, feederId, 120);
        awaitInbox(paths, feederId, self, "dm-2");
        assertEquals(expected("dm-", 3), contents(messages(paths, feederId, self)), "each held DM once");

        // The position file names the last message, after it is in the inbox.
        JsonNode last = messages(paths, feederId, "#general").get(119);
        await().atMost(WAIT).untilAsserted(() -> {
            JsonNode saved = JSON.readTree(Files.readString(paths.inboxPosition())).path("channels").path("#general");
            assertEquals(last.path("seq").asLong(), saved.path("seq").asLong());
            assertEquals(last.path("epoch").asText(), saved.path("epoch").asText());
        });
    }

    @Test
    void aSigkilledDaemonResumesWithoutRepeatsEvenWhenItsPositionFileIsBehindTheInbox() throws Exception {
        TestRelay relay = closed.track(TestRelay.start(relayConfig().build()));
        PersonaPaths paths = PersonaPaths.of(home, "killed");
        DaemonChild first = child(relay, "killed");
        awaitStarted(paths, 1, first);
        String self = agentIdOf(paths);
        Connection feeder = feeder(relay);
        String feederId = feeder.agentId();
        feed(feeder, 0, 10);
        awaitInbox(paths, feederId, "#general", "f-9");
        await().atMost(WAIT).until(() -> Files.exists(paths.inboxPosition())
                && Files.readString(paths.inboxPosition()).contains("\"seq\":10"));
        byte[] behind = Files.readAllBytes(paths.inboxPosition());
        feed(feeder, 10, 30);
        awaitInbox(paths, feederId, "#general", "f-29");

        first.sigkill();
        assertEquals(137, first.awaitExit(10));
        // As if killed after writing f-10..f-29 to the inbox but before recording them.
        Files.write(paths.inboxPosition(), behind);
        awaitGone(feeder, self);
        feed(feeder, 30, 130);
        for (int i = 0; i < 3; i++) {
            feeder.send(self, "dm-" + i);
        }

        awaitStarted(paths, 2, child(relay, "killed"));
        feed(feeder, 130, 135);
        awaitInbox(paths, feederId, "#general", "f-134");
        assertEveryMessageOnceInOrder(paths, feederId, 135);
        awaitInbox(paths, feederId, self, "dm-2");
        assertEquals(expected("dm-", 3), contents(messages(paths, feederId, self)), "each held DM once");
        String log = Files.readString(paths.log());
        assertTrue(log.contains("[INFO] Joined #general, resumed after seq 30: 100 message(s) recovered"), log);
    }

    @Test
    void aRestartedRelayIsReportedAsANewEpochAndTheDaemonCarriesOnWithItsReplay() throws Exception {
        TestRelay first = closed.track(TestRelay.start(relayConfig().build()));
        PersonaPaths paths = PersonaPaths.of(home, "epochs");
        awaitStarted(paths, 1, child(first, "epochs"));
        Connection feeder = feeder(first);
        String feederId = feeder.agentId();
        feed(feeder, 0, 3);
        awaitInbox(paths, feederId, "#general", "f-2");
        String oldEpoch = messages(paths, feederId, "#general").get(2).path("epoch").asText();

        int port = first.port();
        first.close();
        TestRelay second = closed.track(TestRelay.start(relayConfig().port(port).build()));
        await().atMost(WAIT).pollInterval(Duration.ofMillis(50)).until(() -> Files.readString(paths.log())
                .contains("could not be recovered"));
        String log = Files.readString(paths.log());
        assertTrue(log.contains("[WARN] Joined #general, but its history after seq 3 could not be recovered "
                + "(the epoch changed from " + oldEpoch + " to "), log);
        assertTrue(log.contains("messages sent while the daemon was away may be missing"), log);

        Connection again = feeder(second);
        again.send("#general", "after the restart");
        awaitInbox(paths, again.agentId(), "#general", "after the restart");
        JsonNode newest = messages(paths, again.agentId(), "#general").get(0);
        assertFalse(oldEpoch.equals(newest.path("epoch").asText()), "the new relay's history has its own epoch");
        assertEquals(1, newest.path("seq").asLong());
        await().atMost(WAIT).untilAsserted(() -> assertEquals(newest.path("epoch").asText(),
                JSON.readTree(Files.readString(paths.inboxPosition())).path("channels").path("#general")
                        .path("epoch").asText()));
    }

    @Test
    void aCorruptPositionFileIsReportedAndTheInboxTailStandsInForIt() throws Exception {
        TestRelay relay = closed.track(TestRelay.start(relayConfig().build()));
        PersonaPaths paths = PersonaPaths.of(home, "corrupt");
        DaemonChild first = child(relay, "corrupt");
        awaitStarted(paths, 1, first);
        String self = agentIdOf(paths);
        Connection feeder = feeder(relay);
        String feederId = feeder.agentId();
        feed(feeder, 0, 5);
        awaitInbox(paths, feederId, "#general", "f-4");
        first.sigterm();
        assertEquals(0, first.awaitExit(20));

        Files.writeString(paths.inboxPosition(), "{\"version\":1,\"channels\":{\"#general\":", StandardCharsets.UTF_8);
        awaitGone(feeder, self);
        feed(feeder, 5, 40);
        awaitStarted(paths, 2, child(relay, "corrupt"));
        feed(feeder, 40, 41);
        awaitInbox(paths, feederId, "#general", "f-40");
        assertEveryMessageOnceInOrder(paths, feederId, 41);
        String log = Files.readString(paths.log());
        assertTrue(log.contains("[WARN] Ignoring unreadable " + paths.inboxPosition()), log);
        assertTrue(log.contains("[INFO] Joined #general, resumed after seq 5: 35 message(s) recovered"), log);
        await().atMost(WAIT).untilAsserted(() -> assertEquals(41, JSON.readTree(Files.readString(paths.inboxPosition()))
                .path("channels").path("#general").path("seq").asLong(), "the next write replaced it"));
    }
}
