package io.agentchat.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.agentchat.server.TestRelay;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * A comma-separated server list (docs/cluster.md, "Clients fail over"): every networked command
 * uses the first relay that answers, names every relay tried when none does, and refuses a
 * malformed list as a usage error. Real relays; the dead ones are free ports nothing listens on.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class CliFailoverTest {
    @RegisterExtension
    final TestRelay relay = new TestRelay();

    @Test
    void everyCommandSkipsARefusingFirstRelayAndUsesTheSecond() throws Exception {
        String servers = dead() + "," + relay.url();
        long start = System.nanoTime();
        assertEquals(new CliRun(0, "Message sent\n", ""),
                CliRun.run("send", servers, "#general", "via the second", "--timeout", "30"));
        long sendMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
        // A refused relay costs a refused TCP connect, not the 30 s connect timeout.
        assertTrue(sendMs < 10_000, "send took " + sendMs + " ms");

        CliRun channels = CliRun.run("channels", servers);
        assertEquals(0, channels.rc(), channels.err());
        assertTrue(channels.out().contains("#general"), channels.out());
        assertEquals(0, CliRun.run("agents", servers, "#general").rc());
        assertEquals(new CliRun(0, "Created #made-via-list\n", ""), CliRun.run("create", servers, "#made-via-list"));
        CliRun connect = CliRun.run("connect", servers);
        assertEquals(0, connect.rc(), connect.err());
        assertTrue(connect.out().startsWith("Connected as @"), connect.out());
        CliRun search = CliRun.run("skills", "search", servers);
        assertEquals(0, search.rc(), search.err());
    }

    @Test
    void aSignedCommandAlsoSkipsTheDeadRelay(@TempDir Path dir) throws Exception {
        Path identity = dir.resolve("id.json");
        assertEquals(0, CliRun.run("identity", "--generate", "-n", "prover", "-f", identity.toString()).rc());
        CliRun verify = CliRun.run("verify", dead() + "," + relay.url(), "@00000000", "-i", identity.toString());
        // Connected and identified on the second relay, which then has no such agent to verify.
        assertTrue(verify.out().startsWith("Verifying identity of @00000000"), verify.out() + verify.err());
    }

    @Test
    void aRelayThatAcceptsButNeverAnswersCostsOneConnectTimeout() throws Exception {
        try (ServerSocket silent = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
            String servers = "ws://127.0.0.1:" + silent.getLocalPort() + "," + relay.url();
            CliRun run = CliRun.run("send", servers, "#general", "after the silent one", "--timeout", "1");
            assertEquals(new CliRun(0, "Message sent\n", ""), run);
        }
    }

    @Test
    void noRelayAnsweringNamesEveryRelayTried() throws Exception {
        String first = dead();
        String second = dead();
        String expected = "Error: No server answered: " + first + "/ (Connection refused), " + second
                + "/ (Connection refused)\n";
        assertEquals(new CliRun(1, "", expected), CliRun.run("send", first + "," + second, "#general", "hi"));
        assertEquals(new CliRun(1, "", expected), CliRun.run("listen", first + "," + second));
        assertEquals(new CliRun(1, "", expected), CliRun.run("channels", first + ", " + second));
        assertEquals(new CliRun(1, "", expected), CliRun.run("connect", first + "," + second));
        // One relay still gives the one-line message it always gave.
        assertEquals(new CliRun(1, "", "Error: Connection refused. Is the server running?\n"),
                CliRun.run("send", first, "#general", "hi"));
    }

    @Test
    void aRefusedIdentityIsNotRetriedOnTheNextRelay() throws Exception {
        try (TestRelay second = TestRelay.start()) {
            CliRun run = CliRun.run("send", relay.url() + "," + second.url(), "#general", "hi", "-n", "bad name");
            assertEquals(new CliRun(1, "", "Error: Invalid agent name\n"), run);
        }
    }

    @Test
    void aMalformedListIsAUsageErrorBeforeAnythingHappens(@TempDir Path home) {
        assertEquals(new CliRun(1, "", "error: Invalid server list 'ws://a:1,,ws://b:2': entry 2 is empty\n"),
                CliRun.run("send", "ws://a:1,,ws://b:2", "#general", "hi"));
        assertEquals(new CliRun(1, "", "error: Invalid server list '" + relay.url() + ",ftp://b': entry 2 (ftp://b) "
                        + "is not a ws://, wss://, http:// or https:// URL with a host\n"),
                CliRun.run("channels", relay.url() + ",ftp://b"));
        assertEquals(new CliRun(1, "", "error: Invalid server list '" + relay.url() + "," + relay.url()
                        + "': entry 2 (" + relay.url() + ") repeats an earlier one\n"),
                CliRun.run("agents", relay.url() + "," + relay.url(), "#general"));
        CliRun daemon = CliRun.run("daemon", relay.url() + ",", "--name", "listed", "--home", home.toString());
        assertEquals(new CliRun(1, "", "error: Invalid server list '" + relay.url() + ",': entry 2 is empty\n"), daemon);
        assertEquals(new CliRun(1, "", "error: --add takes one server URL, not a list: add each relay of a cluster "
                        + "as its own entry\n"),
                CliRun.run("discover", "--add", "ws://a:1,ws://b:2", "--directory", home.resolve("servers.json").toString()));
        // A single bad URL is still the runtime error it was.
        assertEquals(new CliRun(1, "", "Error: Invalid URL: notaurl\n"), CliRun.run("send", "notaurl", "#general", "hi"));
    }

    private static String dead() throws Exception {
        try (ServerSocket socket = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
            return "ws://127.0.0.1:" + socket.getLocalPort();
        }
    }
}
