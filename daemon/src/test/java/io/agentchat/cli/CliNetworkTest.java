package io.agentchat.cli;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.agentchat.client.ScriptedServer;
import io.agentchat.server.TestRelay;
import java.io.ByteArrayInputStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** The networked commands in-process against a real relay. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class CliNetworkTest {
    @RegisterExtension
    final TestRelay relay = new TestRelay();

    @Test
    void sendPrintsMessageSentOnlyAfterTheEcho() {
        CliRun run = CliRun.run("send", relay.url(), "#general", "hello one", "-n", "sender1");
        assertEquals(new CliRun(0, "Message sent\n", ""), run);
        CliRun dm = CliRun.run("send", relay.url(), "#general", "");
        assertEquals(0, dm.rc(), "the empty message is legal");
    }

    @Test
    void sendReportsEveryRefusalWithTheServersMessage() {
        assertEquals(new CliRun(1, "", "Error: Channel #nosuch not found\n"), CliRun.run("send", relay.url(), "#nosuch", "hi"));
        assertEquals(new CliRun(1, "", "Error: Invalid target (must start with # or @)\n"),
                CliRun.run("send", relay.url(), "general", "hi"));
        assertEquals(new CliRun(1, "", "Error: Agent @nobody not found\n"), CliRun.run("send", relay.url(), "@nobody", "hi"));
        assertEquals(1, CliRun.run("send", relay.url(), "#general", "x".repeat(4097)).rc());
        assertEquals(new CliRun(1, "", "Error: Invalid agent name\n"),
                CliRun.run("send", relay.url(), "#general", "hi", "-n", "bad name"));
    }

    @Test
    void everyNetworkedCommandReportsARefusedConnectionInOneLine() throws Exception {
        String dead = "ws://127.0.0.1:" + freePort();
        String expected = "Error: Connection refused. Is the server running?\n";
        assertEquals(new CliRun(1, "", expected), CliRun.run("send", dead, "#general", "hi"));
        assertEquals(new CliRun(1, "", expected), CliRun.run("listen", dead));
        assertEquals(new CliRun(1, "", expected), CliRun.run("channels", dead));
        assertEquals(new CliRun(1, "", expected), CliRun.run("agents", dead, "#general"));
        assertEquals(new CliRun(1, "", expected), CliRun.run("create", dead, "#x"));
        assertEquals(new CliRun(1, "", expected), CliRun.run("invite", dead, "#x", "@12345678"));
        assertEquals(new CliRun(1, "", expected), CliRun.run("connect", dead));
    }

    @Test
    void aBadIdentityFileIsOneLineAndNoConnection(@TempDir Path dir) throws Exception {
        Path bad = dir.resolve("bad.json");
        Files.writeString(bad, "{bad");
        CliRun run = CliRun.run("send", relay.url(), "#general", "hi", "-i", bad.toString());
        assertEquals(1, run.rc());
        assertTrue(run.err().startsWith("Error: Invalid identity file " + bad.toAbsolutePath() + ": corrupt JSON"),
                run.err());
        assertEquals(1, run.err().lines().count());
        CliRun missing = CliRun.run("send", relay.url(), "#general", "hi", "-i", dir.resolve("none.json").toString());
        assertEquals(new CliRun(1, "", "Error: Identity file not found: " + dir.resolve("none.json") + "\n"), missing);
    }

    @Test
    void channelsAndAgentsPrintReadableLinesAndFailFastOnErrors() {
        CliRun channels = CliRun.run("channels", relay.url());
        assertEquals(new CliRun(0, "Available channels:\n  #general (0 agents)\n  #agents (0 agents)\n"
                + "  #discovery (0 agents)\n  #skills (0 agents)\n", ""), channels);

        CliRun empty = CliRun.run("agents", relay.url(), "#general");
        assertEquals(new CliRun(0, "Agents in #general:\n", ""), empty);
        assertEquals(new CliRun(1, "", "Error: Channel #nosuch not found\n"), CliRun.run("agents", relay.url(), "#nosuch"));
        assertEquals(new CliRun(1, "", "Error: Invalid channel name\n"), CliRun.run("agents", relay.url(), "general"));
    }

    @Test
    void agentsListsMembersAsIdNamePresence() throws Exception {
        StringWriter listenOut = new StringWriter();
        CompletableFuture<Integer> listener = runAsync(listenOut, new StringWriter(), "listen", relay.url(), "#agents",
                "-n", "watcher");
        await().atMost(Duration.ofSeconds(10)).until(() -> listenOut.toString().contains("Welcome to #agents"));
        CliRun agents = CliRun.run("agents", relay.url(), "#agents");
        assertEquals(0, agents.rc());
        List<String> lines = agents.out().lines().toList();
        assertEquals("Agents in #agents:", lines.get(0));
        assertTrue(lines.get(1).matches("  @[a-z0-9]{8} watcher online"), lines.get(1));
        relay.close();
        assertEquals(1, listener.get(10, TimeUnit.SECONDS), "listen fails when the server goes away");
    }

    @Test
    void listenPrintsTheReplayBurstAndStopsAfterMaxMessages() {
        for (int i = 1; i <= 3; i++) {
            assertEquals(0, CliRun.run("send", relay.url(), "#general", "history " + i).rc());
        }
        CliRun run = CliRun.run("listen", relay.url(), "-m", "4", "-n", "reader");
        assertEquals(0, run.rc(), run.err());
        List<String> lines = run.out().lines().toList();
        assertEquals(4, lines.size(), run.out());
        for (int i = 0; i < 3; i++) {
            assertTrue(lines.get(i).contains("\"content\":\"history " + (i + 1) + "\"") && lines.get(i).endsWith(
                    "\"replay\":true}"), lines.get(i));
        }
        assertTrue(lines.get(3).contains("Welcome to #general"), lines.get(3));
        List<String> status = run.err().lines().toList();
        assertTrue(status.get(0).matches("Connected as @[a-z0-9]{8}"), run.err());
        assertEquals(List.of("Joined: #general", "Will disconnect after 4 messages", "Received 4 messages, disconnecting"),
                status.subList(1, 4));
    }

    @Test
    void listenOnAnUnknownChannelFails() {
        CliRun run = CliRun.run("listen", relay.url(), "#nosuch");
        assertEquals(1, run.rc());
        assertTrue(run.err().endsWith("Error: Channel #nosuch not found\n"), run.err());
    }

    @Test
    void createAndInviteNeedNoAckButReportErrors(@TempDir Path dir) {
        Path owner = dir.resolve("owner.json");
        assertEquals(0, CliRun.run("identity", "-g", "-n", "owner", "-f", owner.toString()).rc());
        assertEquals(new CliRun(0, "Created #newroom\n", ""), CliRun.run("create", relay.url(), "#newroom"));
        assertEquals(new CliRun(1, "", "Error: Channel #newroom already exists\n"),
                CliRun.run("create", relay.url(), "#newroom"));
        assertEquals(new CliRun(1, "", "Error: Invalid channel name\n"), CliRun.run("create", relay.url(), "bad"));
        assertEquals(new CliRun(0, "Created #secret (invite-only)\n", ""),
                CliRun.run("create", relay.url(), "#secret", "--private", "-i", owner.toString()));
        assertEquals(new CliRun(0, "Invited @55ffc77c to #secret\n", ""),
                CliRun.run("invite", relay.url(), "#secret", "@55ffc77c", "-i", owner.toString()));
        assertEquals(new CliRun(1, "", "Error: Channel #secret is invite-only\n"),
                CliRun.run("invite", relay.url(), "#secret", "@55ffc77c"));
    }

    @Test
    void aServerThatNeverWelcomesTimesOut() throws Exception {
        try (ScriptedServer silent = new ScriptedServer((session, text) -> { })) {
            CliRun run = CliRun.run("channels", silent.uri().toString(), "--timeout", "1");
            assertEquals(new CliRun(1, "", "Error: Timed out after 1 s waiting for WELCOME\n"), run);
        }
    }

    @Test
    void connectHandlesErrorsWithoutCrashingAndEndsAtEof() {
        String input = String.join("\n", "/join #nosuch", "/join #general", "#general hello from connect",
                "@nobody hi", "/channels", "nonsense", "/frobnicate", "/leave #general", "") ;
        CliRun run = CliRun.run(Map.of(), new ByteArrayInputStream(input.getBytes(StandardCharsets.UTF_8)),
                "connect", relay.url(), "-n", "typist");
        assertEquals(0, run.rc(), run.err());
        assertTrue(run.err().contains("Error: Channel #nosuch not found"), run.err());
        assertTrue(run.err().contains("Error: Agent @nobody not found"), run.err());
        String out = run.out();
        assertTrue(out.startsWith("Connected as @"), out);
        assertTrue(out.contains("Joined #general\n"), out);
        assertTrue(out.matches("(?s).*\\[#general] @[a-z0-9]{8}: hello from connect\n.*"), out);
        assertTrue(out.contains("  #general (1)\n"), out);
        assertTrue(out.contains("Format: #channel message or @agent message\n"), out);
        assertTrue(out.contains("Unknown command\n"), out);
        assertTrue(out.contains("Left #general\n"), out);
    }

    @Test
    void serveReportsABusyPortInOneLineWithoutABanner() throws Exception {
        try (ServerSocket busy = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            CliRun run = CliRun.run("serve", "-p", String.valueOf(busy.getLocalPort()), "-H", "127.0.0.1");
            assertEquals(1, run.rc());
            assertEquals("", run.out());
            assertTrue(run.err().startsWith("Error: Cannot listen on 127.0.0.1:" + busy.getLocalPort()), run.err());
            assertEquals(1, run.err().lines().count(), run.err());
        }
    }

    private static CompletableFuture<Integer> runAsync(StringWriter out, StringWriter err, String... args) {
        CompletableFuture<Integer> rc = new CompletableFuture<>();
        Thread thread = new Thread(() -> {
            CommandLine commandLine = AgentchatCommand.commandLine(new AgentchatCommand(Map.of(),
                    java.io.InputStream.nullInputStream()));
            commandLine.setOut(new PrintWriter(out, true));
            commandLine.setErr(new PrintWriter(err, true));
            rc.complete(commandLine.execute(args));
        }, "cli-under-test");
        thread.setDaemon(true);
        thread.start();
        return rc;
    }

    private static int freePort() throws Exception {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }

    @Test
    void nothingIsLeftOpenAfterAOneShotCommand() {
        assertEquals(0, CliRun.run("channels", relay.url()).rc());
        assertFalse(Thread.getAllStackTraces().keySet().stream()
                .anyMatch(t -> t.getName().startsWith("agentchat-client-dispatch") && t.isAlive()
                        && t.getState() != Thread.State.TERMINATED && !t.isDaemon()));
    }
}
