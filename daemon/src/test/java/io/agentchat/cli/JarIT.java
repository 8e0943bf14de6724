package io.agentchat.cli;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.agentchat.server.TestRelay;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * The shaded {@code agentchat.jar} as users run it: a child JVM per command, real exit codes.
 * Runs in the {@code verify} phase (failsafe), after the jar is built.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class JarIT {
    private static final Duration WAIT = Duration.ofSeconds(30);

    @TempDir
    Path dir;
    @RegisterExtension
    final TestRelay relay = new TestRelay();

    @Test
    void sendListenAndChannelsWithTheirExitCodes() throws Exception {
        assertEquals(new CliRun(0, "Message sent\n", ""),
                JarProcess.run(dir, "send", relay.url(), "#general", "from the jar"));
        assertEquals(new CliRun(1, "", "Error: Agent @nobody not found\n"),
                JarProcess.run(dir, "send", relay.url(), "@nobody", "hi"));

        CliRun listen = JarProcess.run(dir, "listen", relay.url(), "-m", "2");
        assertEquals(0, listen.rc(), listen.err());
        List<String> lines = listen.out().lines().toList();
        assertTrue(lines.get(0).contains("\"content\":\"from the jar\",\"seq\":1,\"epoch\":\""), listen.out());
        assertTrue(lines.get(0).endsWith(",\"replay\":true}"), listen.out());
        assertTrue(lines.get(1).contains("Welcome to #general"), listen.out());
        assertTrue(listen.err().endsWith("Received 2 messages, disconnecting\n"), listen.err());

        CliRun channels = JarProcess.run(dir, "channels", relay.url());
        assertEquals(new CliRun(0, "Available channels:\n  #general (0 agents)\n  #agents (0 agents)\n"
                + "  #discovery (0 agents)\n  #skills (0 agents)\n", ""), channels);
    }

    @Test
    void aRefusedConnectionAndABadUrlAreRc1() throws Exception {
        int port;
        try (ServerSocket socket = new ServerSocket(0)) {
            port = socket.getLocalPort();
        }
        assertEquals(new CliRun(1, "", "Error: Connection refused. Is the server running?\n"),
                JarProcess.run(dir, "send", "ws://127.0.0.1:" + port, "#general", "hi"));
        assertEquals(new CliRun(1, "", "Error: Invalid URL: notaurl\n"), JarProcess.run(dir, "channels", "notaurl"));
    }

    @Test
    void identityLivesUnderTheWorkingDirectoryAndSignsMessages() throws Exception {
        CliRun generated = JarProcess.run(dir, "identity", "--generate", "-n", "jarred");
        assertEquals(0, generated.rc(), generated.err());
        Path file = dir.resolve(".agentchat/identity.json").toRealPath();
        assertTrue(generated.out().endsWith("  Saved to: " + file + "\n"), generated.out());
        CliRun shown = JarProcess.run(dir, "identity");
        assertTrue(shown.out().startsWith("Current identity:\n  Name: jarred\n"), shown.out());
        assertEquals(0, JarProcess.run(dir, "send", relay.url(), "#general", "signed", "-i", file.toString()).rc());
        CliRun bad = JarProcess.run(dir, "identity", "--show", "-f", "nope.json");
        assertEquals(new CliRun(1, "", "Error: Identity file not found: " + dir.toRealPath().resolve("nope.json") + "\n"),
                bad);
    }

    @Test
    void listenExitsNonZeroWhenTheServerGoesAway() throws Exception {
        try (JarProcess listen = JarProcess.start(dir, "listen", relay.url(), "#general")) {
            await().atMost(WAIT).until(() -> listen.err().contains("Streaming messages to stdout"));
            relay.close();
            assertEquals(1, listen.awaitExit(WAIT));
            assertTrue(listen.err().contains("Error: Connection closed by server"), listen.err());
        }
    }

    @Test
    void serveBindsThenPrintsTheBannerAndStopsCleanlyOnSigtermAndSigint() throws Exception {
        for (String signal : new String[] {"TERM", "INT"}) {
            try (JarProcess serve = JarProcess.startWithDefaultSigint(dir, "serve", "-p", "0", "-H", "127.0.0.1")) {
                await().atMost(WAIT).until(() -> serve.out().contains("Press Ctrl+C to stop"));
                Matcher m = Pattern.compile("AgentChat server running on ws://127\\.0\\.0\\.1:(\\d+)\n").matcher(serve.out());
                assertTrue(m.find(), serve.out());
                assertTrue(serve.out().contains("Default channels: #general, #agents, #discovery, #skills\n"), serve.out());
                CliRun channels = JarProcess.run(dir, "channels", "ws://127.0.0.1:" + m.group(1));
                assertEquals(0, channels.rc(), channels.err());
                Process kill = new ProcessBuilder("kill", "-" + signal, String.valueOf(serve.pid())).start();
                assertEquals(0, kill.waitFor());
                assertEquals(0, serve.awaitExit(WAIT), signal + ": " + serve.err());
            }
        }
    }

    @Test
    void serveOnABusyPortExitsWithOneLine() throws Exception {
        CliRun run = JarProcess.run(dir, "serve", "-p", String.valueOf(relay.port()), "-H", "127.0.0.1");
        assertEquals(1, run.rc());
        assertEquals("", run.out());
        assertTrue(run.err().contains("Error: Cannot listen on 127.0.0.1:" + relay.port()), run.err());
        assertEquals(1, run.err().lines().filter(l -> l.startsWith("Error")).count(), run.err());
    }

    @Test
    void versionAndUsageErrors() throws Exception {
        CliRun version = JarProcess.run(dir, "--version");
        assertEquals(0, version.rc());
        assertTrue(Files.exists(JarProcess.jar()));
        assertEquals(1, JarProcess.run(dir, "sen").rc());
        assertEquals(2, JarProcess.run(dir, "serve", "--port", "abc").rc());
    }
}
