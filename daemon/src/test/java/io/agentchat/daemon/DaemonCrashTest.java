package io.agentchat.daemon;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.agentchat.server.AgentChatServer;
import io.agentchat.server.ServerConfig;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** The daemon as a real process: SIGKILL midway and restart, SIGTERM, give-up exit code. */
@Timeout(value = 180, unit = TimeUnit.SECONDS)
class DaemonCrashTest {

    @TempDir
    Path home;

    private AgentChatServer server;
    private final List<DaemonChild> children = new ArrayList<>();

    @BeforeEach
    void start() throws Exception {
        server = new AgentChatServer(ServerConfig.builder().host("127.0.0.1").port(0).rateLimit(Duration.ofMillis(1))
                .framesPerSecond(0).bufferSize(10_000).idlePrompt(Duration.ZERO).dataDir(null).build()).start();
    }

    @AfterEach
    void stop() {
        children.forEach(DaemonChild::close);
        server.close();
    }

    private DaemonChild daemon(String name, String... extra) throws Exception {
        List<String> args = new ArrayList<>(List.of("daemon", server.uri().toString(), "--name", name,
                "--home", home.toString(), "--channels", "#general", "--rate-limit-ms", "1"));
        args.addAll(List.of(extra));
        DaemonChild child = DaemonChild.start(home, home.resolve(name + ".out"), args.toArray(String[]::new));
        children.add(child);
        return child;
    }

    private static void awaitStarted(PersonaPaths paths, int times) {
        await().atMost(30, TimeUnit.SECONDS).pollInterval(Duration.ofMillis(50)).until(() ->
                Files.exists(paths.log()) && Files.readString(paths.log()).split("\\] \\[INFO\\] Daemon started", -1)
                        .length - 1 >= times);
    }

    @Test
    void aSigkilledDaemonRestartsWithoutLossAndAtMostTwoRepeats() throws Exception {
        PersonaPaths paths = PersonaPaths.of(home, "crashy");
        try (ChannelRecorder recorder = new ChannelRecorder(server.uri(), "#general")) {
            await().atMost(10, TimeUnit.SECONDS).until(() -> recorder.joins() == 1);
            DaemonChild first = daemon("crashy");
            awaitStarted(paths, 1);
            StringBuilder lines = new StringBuilder();
            for (int i = 0; i < 600; i++) {
                lines.append("{\"to\":\"#general\",\"content\":\"k-").append(i).append("\"}\n");
            }
            Files.writeString(paths.outbox(), lines, StandardCharsets.UTF_8);
            await().atMost(60, TimeUnit.SECONDS).pollInterval(Duration.ofMillis(2)).until(() -> recorder.count() >= 200);
            first.sigkill();
            assertEquals(137, first.awaitExit(10), "killed by SIGKILL");
            assertTrue(Files.exists(paths.pidFile()), "a SIGKILLed daemon leaves a stale pid file");
            int beforeRestart = recorder.count();
            assertTrue(beforeRestart < 600, "killed midway, " + beforeRestart + " delivered");

            daemon("crashy");
            await().atMost(90, TimeUnit.SECONDS).pollInterval(Duration.ofMillis(50)).until(() ->
                    new LinkedHashSet<>(recorder.contents()).size() >= 600);
            List<String> all = recorder.contents();
            Set<String> distinct = new LinkedHashSet<>(all);
            int repeats = all.size() - distinct.size();
            assertTrue(repeats <= 2, "at most two lines repeat after a crash, got " + repeats);
            List<String> expected = new ArrayList<>();
            for (int i = 0; i < 600; i++) {
                expected.add("k-" + i);
            }
            assertEquals(expected, List.copyOf(distinct), "nothing lost, first deliveries in order");
        }
    }

    @Test
    void sigtermFlushesRemovesThePidFileAndExitsZero() throws Exception {
        PersonaPaths paths = PersonaPaths.of(home, "termed");
        DaemonChild child = daemon("termed");
        awaitStarted(paths, 1);
        assertEquals(Long.toString(child.pid()), Files.readString(paths.pidFile()));
        child.sigterm();
        assertEquals(0, child.awaitExit(20), child.output());
        assertFalse(Files.exists(paths.pidFile()));
        String log = Files.readString(paths.log());
        assertTrue(log.matches("(?s)\\[\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d\\.\\d{3}(Z|[+-]\\d\\d:\\d\\d)\\] \\[INFO\\] "
                + "Daemon starting \\(PID: " + child.pid() + ", instance: termed\\)\n.*"), log);
        assertTrue(log.contains("] [INFO] Daemon stopped"), log);
        String banner = child.output();
        assertTrue(banner.startsWith("Starting daemon in foreground (Ctrl+C to stop)...\n  Instance: termed\n"), banner);
        assertTrue(banner.contains("] [INFO] Connected as @"), "the log is mirrored to the console: " + banner);
    }

    @Test
    void aDaemonThatCannotReconnectInTimeExitsNonZero() throws Exception {
        PersonaPaths paths = PersonaPaths.of(home, "giveup");
        DaemonChild child = daemon("giveup", "--max-reconnect-time", "0.05");
        awaitStarted(paths, 1);
        server.close();
        assertEquals(1, child.awaitExit(60), child.output());
        String log = Files.readString(paths.log());
        assertTrue(log.contains("] [ERROR] Could not reconnect to"), log + "\nOUTPUT:\n" + child.output());
        assertFalse(Files.exists(paths.pidFile()));
    }
}
