package io.agentchat.mcp;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.agentchat.client.AgentChatClient;
import io.agentchat.client.Connection;
import io.agentchat.client.RecordingListener;
import io.agentchat.daemon.ChildClassPath;
import io.agentchat.daemon.PersonaPaths;
import io.agentchat.identity.Identity;
import io.agentchat.identity.IdentityFile;
import io.agentchat.protocol.ServerFrame;
import io.agentchat.server.TestRelay;
import io.modelcontextprotocol.client.McpSyncClient;
import java.io.BufferedReader;
import java.io.File;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code agentchat mcp} as a process: its stdout carries JSON-RPC and nothing else, and with a daemon
 * already holding the persona it works through that daemon, never proving the key a second time.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class McpProcessTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path home;

    private TestRelay relay;
    private AgentChatClient peerClient;
    private RecordingListener bobInbox;
    private Connection bob;
    private final List<Process> children = new ArrayList<>();

    @BeforeEach
    void start() throws Exception {
        relay = TestRelay.start();
        peerClient = new AgentChatClient();
        bobInbox = new RecordingListener();
        bob = peerClient.connect(relay.uri(), "bob", Identity.generate("bob", Clock.systemUTC()), bobInbox);
        bob.join("#general");
    }

    @AfterEach
    void stop() throws Exception {
        for (Process child : children) {
            child.destroy();
            if (!child.waitFor(10, TimeUnit.SECONDS)) {
                child.destroyForcibly();
            }
        }
        peerClient.close();
        relay.close();
    }

    @Test
    void stdoutCarriesNothingButJsonRpcAndTheServerDefaultsToAgentchatUrl() throws Exception {
        ProcessBuilder builder = new ProcessBuilder(McpChild.command("mcp", "--name", "carol", "--home", home.toString()))
                .redirectError(ProcessBuilder.Redirect.appendTo(home.resolve("stderr.txt").toFile()));
        builder.environment().keySet().removeIf(k -> k.startsWith("AGENTCHAT"));
        builder.environment().put("AGENTCHAT_URL", relay.url());
        builder.environment().put("CLASSPATH", ChildClassPath.get());
        Process mcp = builder.start();
        children.add(mcp);
        BufferedReader out = new BufferedReader(new InputStreamReader(mcp.getInputStream(), StandardCharsets.UTF_8));
        OutputStream in = mcp.getOutputStream();
        List<String> lines = new ArrayList<>();

        lines.add(exchange(in, out, """
                {"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":"2025-06-18",\
                "capabilities":{},"clientInfo":{"name":"raw","version":"1"}}}"""));
        write(in, "{\"jsonrpc\":\"2.0\",\"method\":\"notifications/initialized\"}");
        lines.add(exchange(in, out, "{\"jsonrpc\":\"2.0\",\"id\":2,\"method\":\"tools/list\"}"));
        lines.add(exchange(in, out, call(3, "agentchat_send", "{\"to\":\"general\",\"content\":\"x\"}")));
        lines.add(exchange(in, out, call(4, "agentchat_send", "{\"to\":\"#general\",\"content\":\"raw hello\"}")));
        lines.add(exchange(in, out, call(5, "agentchat_wait", "{\"timeout_seconds\":0}")));
        in.close();
        String rest;
        while ((rest = out.readLine()) != null) {
            lines.add(rest);
        }
        assertTrue(mcp.waitFor(30, TimeUnit.SECONDS), "closing stdin ends agentchat mcp");
        assertEquals(0, mcp.exitValue());

        for (String line : lines) {
            JsonNode message = JSON.readTree(line);
            assertEquals("2.0", message.path("jsonrpc").asText(), "not JSON-RPC on stdout: " + line);
        }
        assertEquals(5, lines.size(), "one answer per request and nothing else: " + lines);
        assertTrue(JSON.readTree(lines.get(2)).path("result").path("isError").asBoolean(), lines.get(2));
        assertFalse(JSON.readTree(lines.get(3)).path("result").path("isError").asBoolean(), lines.get(3));
        assertTrue(bobInbox.messages().stream().anyMatch(m -> m.content().equals("raw hello")) || awaitBob("raw hello"));
        // The log went where logs go: the persona's daemon.log, which says what happened.
        assertTrue(Files.readString(PersonaPaths.of(home, "carol").log()).contains("Daemon started"));
    }

    @Test
    void withADaemonHoldingThePersonaEveryCallGoesThroughItsConnectionAndItIsTakenOverWhenItStops() throws Exception {
        PersonaPaths dave = PersonaPaths.of(home, "dave");
        ProcessBuilder daemon = new ProcessBuilder(McpChild.command("daemon", relay.url(), "--name", "dave",
                "--home", home.toString(), "--channels", "#general"))
                .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
                .redirectOutput(ProcessBuilder.Redirect.appendTo(home.resolve("daemon-out.txt").toFile()))
                .redirectErrorStream(true);
        daemon.environment().keySet().removeIf(k -> k.startsWith("AGENTCHAT"));
        daemon.environment().put("CLASSPATH", ChildClassPath.get());
        Process daemonProcess = daemon.start();
        children.add(daemonProcess);
        await().atMost(60, TimeUnit.SECONDS).pollInterval(Duration.ofMillis(50))
                .until(() -> Files.exists(dave.controlSocket()) && Files.exists(dave.log())
                        && Files.readString(dave.log()).contains("Daemon started"));
        String daveId = "@" + IdentityFile.load(dave.dir().resolve("identity.json")).agentId();

        McpSyncClient mcp = McpChild.start(Map.of(), "mcp", relay.url(), "--name", "dave", "--home", home.toString());
        try {
            Map<String, Object> whoami = McpTools.ok(mcp, "agentchat_whoami", Map.of());
            assertEquals(daveId, whoami.get("id"));
            assertEquals(true, whoami.get("connected"));

            McpTools.ok(mcp, "agentchat_send", Map.of("to", "#general", "content", "via daemon"));
            assertTrue(awaitBob("via daemon"));
            assertEquals(daveId, bobInbox.messages().stream().filter(m -> m.content().equals("via daemon"))
                    .findFirst().orElseThrow().from());

            bob.send("#general", "to-dave 1");
            bob.send(daveId, "to-dave 2");
            List<Map<String, Object>> got = McpTools.waitFor(mcp, "to-dave", 2);
            assertEquals(List.of("to-dave 1", "to-dave 2"), got.stream().map(m -> m.get("content")).toList());
            assertEquals(bob.agentId(), got.get(0).get("from"));

            assertTrue(McpTools.error(mcp, "agentchat_join", Map.of("channel", "nohash")).contains("#nohash"));
            assertEquals("#side", McpTools.ok(mcp, "agentchat_create_channel", Map.of("channel", "#side")).get("created"));
            assertTrue(((List<?>) McpTools.ok(mcp, "agentchat_whoami", Map.of()).get("channels")).contains("#side"));
            // One connection for the key: the relay lists dave once, and the daemon was never kicked.
            long daveConnections = bob.listAgents("#general").stream().filter(a -> a.id().equals(daveId)).count();
            assertEquals(1, daveConnections);
            assertTrue(daemonProcess.isAlive());
            assertFalse(Files.readString(dave.log()).contains("Another connection proved"), Files.readString(dave.log()));

            // The daemon stops: the next call finds its socket gone and takes the persona over.
            daemonProcess.destroy();
            assertTrue(daemonProcess.waitFor(30, TimeUnit.SECONDS));
            McpTools.ok(mcp, "agentchat_send", Map.of("to", "#general", "content", "after takeover"));
            assertTrue(awaitBob("after takeover"));
            assertEquals(daveId, bobInbox.messages().stream().filter(m -> m.content().equals("after takeover"))
                    .findFirst().orElseThrow().from());
        } finally {
            mcp.closeGracefully();
        }
    }

    private boolean awaitBob(String content) {
        Optional<ServerFrame.Msg> got = await().atMost(10, TimeUnit.SECONDS).pollInterval(Duration.ofMillis(20))
                .until(() -> bobInbox.messages().stream().filter(m -> m.content().equals(content)).findFirst(),
                        Optional::isPresent);
        assertNotNull(got.orElse(null));
        return true;
    }

    private static String call(int id, String tool, String arguments) {
        return "{\"jsonrpc\":\"2.0\",\"id\":" + id + ",\"method\":\"tools/call\",\"params\":{\"name\":\"" + tool
                + "\",\"arguments\":" + arguments + "}}";
    }

    private static String exchange(OutputStream in, BufferedReader out, String request) throws Exception {
        write(in, request);
        String line = out.readLine();
        assertNotNull(line, "agentchat mcp ended instead of answering " + request);
        return line;
    }

    private static void write(OutputStream in, String line) throws Exception {
        in.write((line + "\n").getBytes(StandardCharsets.UTF_8));
        in.flush();
    }
}
