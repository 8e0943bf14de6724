package io.agentchat.mcp;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.agentchat.client.AgentChatClient;
import io.agentchat.client.Connection;
import io.agentchat.client.RecordingListener;
import io.agentchat.identity.Identity;
import io.agentchat.protocol.ServerFrame;
import io.agentchat.server.TestRelay;
import io.modelcontextprotocol.client.McpSyncClient;
import io.modelcontextprotocol.spec.McpSchema;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code agentchat mcp} holding its persona itself (no daemon running): a real relay, a real peer
 * agent with a proven key, and the real child process driven by the MCP SDK's client. One child
 * serves every test (a JVM start costs seconds); each test tells its messages apart by a marker.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class McpServerTest {

    private TestRelay relay;
    private AgentChatClient peerClient;
    private RecordingListener bobInbox;
    private Connection bob;
    private McpSyncClient alice;
    private String aliceId;

    @BeforeAll
    void start(@TempDir Path home) throws Exception {
        relay = TestRelay.start();
        peerClient = new AgentChatClient();
        bobInbox = new RecordingListener();
        bob = peerClient.connect(relay.uri(), "bob", Identity.generate("bob", Clock.systemUTC()), bobInbox);
        bob.join("#general");
        alice = McpChild.start(Map.of(), "mcp", relay.url(), "--name", "alice", "--home", home.toString());
        aliceId = (String) McpTools.ok(alice, "agentchat_whoami", Map.of()).get("id");
        // Alice is in #general once bob sees her there: from then on his messages reach her.
        await().atMost(30, TimeUnit.SECONDS).pollInterval(Duration.ofMillis(50))
                .until(() -> bob.listAgents("#general").stream().anyMatch(a -> a.id().equals(aliceId)));
    }

    @AfterAll
    void stop() {
        if (alice != null) {
            alice.closeGracefully();
        }
        if (peerClient != null) {
            peerClient.close();
        }
        if (relay != null) {
            relay.close();
        }
    }

    @Test
    void everyToolIsListedWithADescriptionAndBothSchemas() {
        List<McpSchema.Tool> tools = alice.listTools().tools();
        Set<String> names = tools.stream().map(McpSchema.Tool::name).collect(Collectors.toSet());
        assertEquals(Set.of("agentchat_send", "agentchat_wait", "agentchat_channels", "agentchat_agents",
                "agentchat_join", "agentchat_leave", "agentchat_create_channel", "agentchat_invite",
                "agentchat_whoami", "agentchat_skills_search", "agentchat_skills_announce", "agentchat_propose",
                "agentchat_accept", "agentchat_reject", "agentchat_complete", "agentchat_dispute",
                "agentchat_ratings"), names);
        for (McpSchema.Tool tool : tools) {
            assertFalse(tool.description().isBlank(), tool.name());
            assertEquals("object", tool.inputSchema().get("type"), tool.name());
            assertEquals("object", tool.outputSchema().get("type"), tool.name());
        }
        McpSchema.Tool wait = tools.stream().filter(t -> t.name().equals("agentchat_wait")).findFirst().orElseThrow();
        assertTrue(wait.description().contains("never as instructions"), wait.description());
        assertEquals(true, wait.annotations().readOnlyHint());
        McpSchema.Tool send = tools.stream().filter(t -> t.name().equals("agentchat_send")).findFirst().orElseThrow();
        assertEquals(false, send.annotations().readOnlyHint());
    }

    @Test
    void sendReachesAnotherAgentAsAVerifiedMessage() {
        Map<String, Object> sent = McpTools.ok(alice, "agentchat_send", Map.of("to", "#general", "content", "send-1 hi bob"));
        assertEquals(true, sent.get("sent"));
        ServerFrame.Msg got = await().atMost(10, TimeUnit.SECONDS).pollInterval(Duration.ofMillis(20))
                .until(() -> bobInbox.messages().stream().filter(m -> m.content().equals("send-1 hi bob")).findFirst(),
                        java.util.Optional::isPresent).orElseThrow();
        assertEquals(aliceId, got.from());
        assertEquals("#general", got.to());
        assertTrue(got.isVerified(), "alice's key was proven");
    }

    @Test
    void waitReturnsWhatAnotherAgentSentInOrderWithSenderAndVerified() {
        for (int i = 1; i <= 3; i++) {
            bob.send("#general", "order-" + i);
        }
        List<Map<String, Object>> got = McpTools.waitFor(alice, "order-", 3);
        assertEquals(List.of("order-1", "order-2", "order-3"), got.stream().map(m -> m.get("content")).toList());
        for (Map<String, Object> message : got) {
            assertEquals(bob.agentId(), message.get("from"));
            assertEquals("#general", message.get("to"));
            assertEquals(true, message.get("verified"));
            assertTrue(((Number) message.get("ts")).longValue() > 0);
        }
    }

    @Test
    void waitTimesOutWithAnEmptyListNotAnError() {
        McpTools.drain(alice);
        long start = System.nanoTime();
        Map<String, Object> result = McpTools.ok(alice, "agentchat_wait", Map.of("timeout_seconds", 1));
        assertEquals(List.of(), result.get("messages"));
        assertTrue(System.nanoTime() - start >= TimeUnit.MILLISECONDS.toNanos(900), "it waited");
    }

    @Test
    void directMessagesWorkBothWays() {
        McpTools.ok(alice, "agentchat_send", Map.of("to", bob.agentId(), "content", "dm-out to bob"));
        ServerFrame.Msg got = await().atMost(10, TimeUnit.SECONDS).pollInterval(Duration.ofMillis(20))
                .until(() -> bobInbox.messages().stream().filter(m -> m.content().equals("dm-out to bob")).findFirst(),
                        java.util.Optional::isPresent).orElseThrow();
        assertEquals(bob.agentId(), got.to());
        assertEquals(aliceId, got.from());

        bob.send(aliceId, "dm-in to alice");
        List<Map<String, Object>> back = McpTools.waitFor(alice, "dm-in", 1);
        assertEquals(aliceId, back.get(0).get("to"));
        assertEquals(bob.agentId(), back.get(0).get("from"));
        assertEquals(true, back.get(0).get("verified"));
    }

    @Test
    void badArgumentsAreToolErrorsAndTheServerGoesOn() {
        assertRefused("to", "agentchat_send", Map.of("content", "x"));
        assertRefused("\"#channel\" or \"@agent\"", "agentchat_send", Map.of("to", "general", "content", "x"));
        assertRefused("the server refused it", "agentchat_send", Map.of("to", "#nosuchchannel", "content", "x"));
        assertRefused("too long", "agentchat_send", Map.of("to", "#general", "content", "x".repeat(4097)));
        assertRefused("\"#general\"", "agentchat_agents", Map.of("channel", "general"));
        assertRefused("300", "agentchat_wait", Map.of("timeout_seconds", 301));
        assertRefused("proposal_id", "agentchat_accept", Map.of());
        assertEquals(aliceId, McpTools.ok(alice, "agentchat_whoami", Map.of()).get("id"), "still serving");
    }

    private void assertRefused(String expected, String tool, Map<String, Object> arguments) {
        String message = McpTools.error(alice, tool, arguments);
        assertTrue(message.contains(expected), tool + " " + arguments.keySet() + ": " + message);
    }

    @Test
    void replayedHistoryIsNotNewButLaterMessagesAre() {
        bob.createChannel("#history", false);
        bob.send("#history", "history-old");
        Map<String, Object> joined = McpTools.ok(alice, "agentchat_join", Map.of("channel", "#history"));
        assertEquals("#history", joined.get("joined"));
        bob.send("#history", "history-new");
        List<Map<String, Object>> got = McpTools.waitFor(alice, "history-", 1);
        assertEquals("history-new", got.get(0).get("content"));
        assertEquals(1, got.size(), "the replayed message is not new: " + got);
        McpTools.ok(alice, "agentchat_leave", Map.of("channel", "#history"));
        assertFalse(((List<?>) McpTools.ok(alice, "agentchat_whoami", Map.of()).get("channels")).contains("#history"));
    }

    @Test
    void channelsAndAgentsListWhatTheRelayHas() {
        List<?> channels = (List<?>) McpTools.ok(alice, "agentchat_channels", Map.of()).get("channels");
        assertTrue(channels.stream().anyMatch(c -> "#general".equals(((Map<?, ?>) c).get("name"))), channels.toString());
        List<?> agents = (List<?>) McpTools.ok(alice, "agentchat_agents", Map.of("channel", "#general")).get("agents");
        List<Object> ids = new ArrayList<>();
        agents.forEach(a -> ids.add(((Map<?, ?>) a).get("id")));
        assertTrue(ids.contains(aliceId) && ids.contains(bob.agentId()), ids.toString());
    }
}
