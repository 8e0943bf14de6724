package io.agentchat.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.agentchat.daemon.ChildClassPath;
import io.agentchat.daemon.PersonaPaths;
import io.agentchat.server.AgentChatServer;
import io.agentchat.server.ServerConfig;
import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code agentchat daemon}: --background with two personas, --list/--status/--stop-all, refusal of a
 * second daemon, stale pid files (never signalled: running means holding the lock), and the start errors
 * (bad identity, bad persona name, resolved paths). Started daemons
 * are real child JVMs; queries run in-process.
 */
@Timeout(value = 180, unit = TimeUnit.SECONDS)
class DaemonCommandTest {

    @TempDir
    Path home;

    private AgentChatServer server;
    private Map<String, String> env;

    @BeforeEach
    void start() throws Exception {
        server = new AgentChatServer(ServerConfig.builder().host("127.0.0.1").port(0).rateLimit(Duration.ZERO)
                .idlePrompt(Duration.ZERO).dataDir(null).build()).start();
        env = Map.of("AGENTCHAT_HOME", home.toString());
    }

    @AfterEach
    void stop() throws Exception {
        // Whatever a failed test left running: SIGTERM through our own command, then the server.
        CliRun.run(env, "daemon", "--stop-all");
        server.close();
    }

    /** {@code agentchat daemon ... -b} in a child JVM (the parent must be a real process to detach from). */
    private CliRun background(String name) throws Exception {
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC",
                Main.class.getName(), "daemon", server.uri().toString(), "--name", name, "-b", "--rate-limit-ms", "0"));
        ProcessBuilder builder = new ProcessBuilder(command).directory(home.toFile())
                .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
                .redirectOutput(home.resolve(name + ".out").toFile()).redirectError(home.resolve(name + ".err").toFile());
        builder.environment().put("AGENTCHAT_HOME", home.toString());
        builder.environment().put("CLASSPATH", ChildClassPath.get());
        Process parent = builder.start();
        assertTrue(parent.waitFor(60, TimeUnit.SECONDS), "--background returned");
        return new CliRun(parent.exitValue(), Files.readString(home.resolve(name + ".out")),
                Files.readString(home.resolve(name + ".err")));
    }

    private long pidOf(String name) throws Exception {
        return Long.parseLong(Files.readString(PersonaPaths.of(home, name).pidFile()));
    }

    @Test
    void twoPersonasRunSideBySideAndStopAllEndsBoth() throws Exception {
        CliRun alice = background("alice");
        assertEquals(0, alice.rc(), alice.toString());
        PersonaPaths a = PersonaPaths.of(home, "alice");
        long alicePid = pidOf("alice");
        assertEquals("Daemon 'alice' started in background (PID: " + alicePid + ")\n"
                + "  Inbox: " + a.inbox() + "\n  Outbox: " + a.outbox() + "\n  Log: " + a.log() + "\n\n"
                + "To send messages, append to outbox:\n"
                + "  echo '{\"to\":\"#general\",\"content\":\"Hello!\"}' >> " + a.outbox() + "\n\n"
                + "To read messages:\n  tail -f " + a.inbox() + "\n", alice.out());
        assertEquals(0, background("bob").rc());
        long bobPid = pidOf("bob");
        assertNotEquals(alicePid, bobPid);

        PersonaPaths b = PersonaPaths.of(home, "bob");
        String aliceKey = Files.readString(a.dir().resolve("identity.json"));
        String bobKey = Files.readString(b.dir().resolve("identity.json"));
        assertNotEquals(aliceKey, bobKey, "one identity per persona");
        assertTrue(Files.readString(a.log()).contains("] [INFO] Daemon started"));

        CliRun list = CliRun.run(env, "daemon", "--list");
        assertEquals(0, list.rc());
        assertTrue(list.out().startsWith("Daemon instances:\n"), list.out());
        assertTrue(list.out().contains("  alice: running (PID: " + alicePid + ")\n"), list.out());
        assertTrue(list.out().contains("  bob: running (PID: " + bobPid + ")\n"), list.out());

        CliRun status = CliRun.run(env, "daemon", "--status", "--name", "alice");
        assertTrue(status.out().startsWith("Daemon 'alice' is running:\n  PID: " + alicePid + "\n  Inbox: "
                + a.inbox() + " ("), status.out());
        assertTrue(status.out().contains("  Last message: {\"type\":\"MSG\""), status.out());

        CliRun second = CliRun.run(env, "daemon", server.uri().toString(), "--name", "alice");
        assertEquals(new CliRun(1, "", "Daemon 'alice' already running (PID: " + alicePid + ")\n"
                + "Use --stop to stop it first, or use a different --name\n"), second);

        CliRun stopAll = CliRun.run(env, "daemon", "--stop-all");
        assertEquals(0, stopAll.rc(), stopAll.toString());
        assertTrue(stopAll.out().contains("Stopped alice (PID: " + alicePid + ")\n"), stopAll.out());
        assertTrue(stopAll.out().contains("Stopped bob (PID: " + bobPid + ")\n"), stopAll.out());
        assertFalse(ProcessHandle.of(alicePid).map(ProcessHandle::isAlive).orElse(false));
        assertFalse(ProcessHandle.of(bobPid).map(ProcessHandle::isAlive).orElse(false));
        assertFalse(Files.exists(a.pidFile()));
        assertEquals(new CliRun(0, "No running daemons to stop\n", ""), CliRun.run(env, "daemon", "--stop-all"));
        assertEquals(new CliRun(0, "Daemon not running\n", ""), CliRun.run(env, "daemon", "--stop", "--name", "bob"));
    }

    @Test
    void aStalePidFileIsReportedAsStoppedLeftAloneAndReplacedByTheNextStart() throws Exception {
        PersonaPaths carol = PersonaPaths.of(home, "carol").createDirectories();
        Files.writeString(carol.pidFile(), "999999", StandardCharsets.UTF_8);
        assertEquals(new CliRun(0, "Daemon 'carol' is not running\n", ""),
                CliRun.run(env, "daemon", "--status", "--name", "carol"));
        assertEquals(new CliRun(0, "Daemon instances:\n  carol: stopped\n", ""), CliRun.run(env, "daemon", "--list"));
        assertEquals("999999", Files.readString(carol.pidFile()), "read-only queries never touch the pid file");
        // An unrelated live process in the pid file is not ours: never signalled.
        Files.writeString(carol.pidFile(), Long.toString(ProcessHandle.current().pid()));
        assertEquals(new CliRun(0, "Daemon not running\n", ""), CliRun.run(env, "daemon", "--stop", "--name", "carol"));

        assertEquals(0, background("carol").rc());
        assertEquals(OptionalLong.of(pidOf("carol")).getAsLong(), pidOf("carol"));
        assertNotEquals(ProcessHandle.current().pid(), pidOf("carol"));
    }

    @Test
    void startErrorsAreOneLineAndNeverRetried() throws Exception {
        String url = server.uri().toString();
        assertEquals(new CliRun(1, "", "Error: server URL required to start daemon\n"
                + "Usage: agentchat daemon wss://agentchat-server.fly.dev --name myagent\n"), CliRun.run(env, "daemon"));
        CliRun badName = CliRun.run(env, "daemon", url, "--name", "../../escaped");
        assertEquals(2, badName.rc(), badName.toString());
        assertTrue(badName.err().contains("Invalid persona name '../../escaped'"), badName.err());
        assertFalse(Files.exists(home.resolve("escaped")));

        Path corrupt = home.resolve("bad-identity.json");
        Files.writeString(corrupt, "{not json");
        long start = System.nanoTime();
        CliRun bad = CliRun.run(env, "daemon", url, "--name", "dave", "-i", corrupt.toString());
        assertEquals(1, bad.rc());
        assertTrue(bad.err().startsWith("Error: Invalid identity file " + corrupt + ": corrupt JSON"), bad.err());
        assertEquals(1, bad.err().lines().count(), bad.err());
        assertTrue(TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - start) < 5, "a bad identity is not retried");
        assertFalse(Files.exists(PersonaPaths.of(home, "dave").pidFile()));

        CliRun missing = CliRun.run(env, "daemon", url, "--name", "dave", "-i", home.resolve("nope.json").toString());
        assertEquals(new CliRun(1, "", "Error: Identity file not found: " + home.resolve("nope.json") + "\n"), missing);
        assertEquals(2, CliRun.run(env, "daemon", url, "--max-reconnect-time", "abc").rc());
        assertEquals(2, CliRun.run(env, "daemon", url, "--max-reconnect-time", "0").rc());
        assertEquals(new CliRun(0, "No daemon instances found in " + home.resolve("empty/.agentchat/daemons") + "\n", ""),
                CliRun.run(Map.of("AGENTCHAT_HOME", home.resolve("empty").toString()), "daemon", "--list"));
        assertFalse(Files.exists(home.resolve("empty")), "--list creates nothing");
    }

    @Test
    void channelsAcceptSpacesAndCommasAndGetTheirHash() {
        assertEquals(List.of("#general", "#agents", "#x"), DaemonCommand.parseChannels(List.of("#general,agents", " x ")));
        assertEquals(List.of("#general", "#agents"), DaemonCommand.parseChannels(null));
        assertEquals(List.of("#a", "#b"), DaemonCommand.parseChannels(List.of("a b", "#a")));
    }
}
