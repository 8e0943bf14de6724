package io.agentchat.mcp;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.agentchat.client.AgentChatClient;
import io.agentchat.client.Connection;
import io.agentchat.client.RecordingListener;
import io.agentchat.protocol.ServerFrame;
import io.agentchat.server.RedisProcess;
import io.agentchat.server.TestRelay;
import io.modelcontextprotocol.client.McpSyncClient;
import io.modelcontextprotocol.spec.McpSchema;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code agentchat mcp} runs tool calls concurrently on its one connection, and the client library
 * matches replies to requests by order. Against a relay in cluster mode, a channel message's echo
 * comes back through Redis, so a refused call made at the same time could get its answer first: the
 * message would be reported refused though it was delivered, and the refused call would wait out
 * the request timeout. The real child process, driven by the MCP SDK's client, against relay A of two
 * relays over a real redis-server.
 */
@Timeout(value = 240, unit = TimeUnit.SECONDS)
class McpClusterReplyOrderTest {
    private static final String PRIVATE = "#private-room";
    /** Rounds of two concurrent calls; which reaches the relay first is up to the threads, so many rounds. */
    private static final int ROUNDS = 50;
    /** Far under the child's 10 s request timeout: an answer takes milliseconds. */
    private static final Duration PROMPT = Duration.ofSeconds(5);

    @TempDir
    Path home;

    private RedisProcess redis;
    private TestRelay relayA;
    private TestRelay relayB;
    private AgentChatClient peers;
    private McpSyncClient alice;
    private final ExecutorService callers = Executors.newFixedThreadPool(2);

    @BeforeEach
    void start() throws Exception {
        redis = RedisProcess.start();
        relayA = TestRelay.start(TestRelay.defaults().name("relay-a").cluster(redis.uri()).noRateLimits().build());
        relayB = TestRelay.start(TestRelay.defaults().name("relay-b").cluster(redis.uri()).noRateLimits().build());
        peers = new AgentChatClient();
    }

    @AfterEach
    void stop() throws Exception {
        callers.shutdownNow();
        if (alice != null) {
            alice.closeGracefully();
        }
        if (peers != null) {
            peers.close();
        }
        if (relayA != null) {
            relayA.close();
        }
        if (relayB != null) {
            relayB.close();
        }
        if (redis != null) {
            redis.close();
        }
    }

    @Test
    void aSendAndARefusedCallAtTheSameTimeEachGetTheirOwnAnswer() throws Exception {
        // The owner keeps an invite-only channel on relay A; alice is never invited, so joining it or
        // listing its members is refused NOT_INVITED.
        Connection owner = peers.connect(relayA.uri(), "owner", null);
        owner.createChannel(PRIVATE, true);
        RecordingListener bobInbox = new RecordingListener();
        Connection bob = peers.connect(relayB.uri(), "bob", null, bobInbox);
        bob.join("#general");

        alice = McpChild.start(Map.of(), "mcp", relayA.url(), "--name", "alice", "--home", home.toString());
        String aliceId = (String) McpTools.ok(alice, "agentchat_whoami", Map.of()).get("id");
        await("alice is in #general").atMost(30, TimeUnit.SECONDS).pollInterval(Duration.ofMillis(50))
                .until(() -> bob.listAgents("#general").stream().anyMatch(a -> a.id().equals(aliceId)));

        List<String> sent = new ArrayList<>();
        for (int round = 0; round < ROUNDS; round++) {
            String content = "mcp-order-" + round;
            // Alternately a JOIN (its invite list is looked up in Redis) and a LIST_AGENTS (refused at once).
            String refusedTool = round % 2 == 0 ? "agentchat_join" : "agentchat_agents";
            CompletableFuture<Timed> send = call("agentchat_send", Map.of("to", "#general", "content", content));
            CompletableFuture<Timed> refused = call(refusedTool, Map.of("channel", PRIVATE));
            Timed sendResult = send.get(60, TimeUnit.SECONDS);
            Timed refusedResult = refused.get(60, TimeUnit.SECONDS);

            String label = "round " + round + ": ";
            String both = " (the concurrent " + refusedTool + " " + PRIVATE + " answered after "
                    + refusedResult.elapsed().toMillis() + " ms: " + refusedResult.text() + ")";
            assertEquals(Boolean.FALSE, sendResult.isError(),
                    label + "agentchat_send to #general should report sent:true, but answered: " + sendResult.text() + both);
            assertEquals(true, sendResult.structured().get("sent"), label + sendResult.text());
            assertEquals(Boolean.TRUE, refusedResult.isError(),
                    label + refusedTool + " " + PRIVATE + " should be refused, but answered: " + refusedResult.text());
            assertTrue(refusedResult.text().contains("NOT_INVITED"),
                    label + refusedTool + " " + PRIVATE + " should be refused NOT_INVITED, but answered (after "
                            + refusedResult.elapsed().toMillis() + " ms): " + refusedResult.text());
            assertTrue(refusedResult.elapsed().compareTo(PROMPT) < 0, label + refusedTool + " took "
                    + refusedResult.elapsed().toMillis() + " ms");
            sent.add(content);
        }
        await("every message reached bob on relay B").atMost(10, TimeUnit.SECONDS).pollInterval(Duration.ofMillis(20))
                .until(() -> bobInbox.messages().stream().map(ServerFrame.Msg::content).toList().containsAll(sent));
    }

    /** One tool call's outcome and how long it took. */
    private record Timed(Boolean isError, String text, Map<String, Object> structured, Duration elapsed) {
    }

    /** A tool call on its own thread, so the two calls of a round are in flight together. */
    @SuppressWarnings("unchecked")
    private CompletableFuture<Timed> call(String tool, Map<String, Object> arguments) {
        return CompletableFuture.supplyAsync(() -> {
            long start = System.nanoTime();
            McpSchema.CallToolResult result = alice.callTool(new McpSchema.CallToolRequest(tool, arguments));
            return new Timed(result.isError(), McpTools.text(result), (Map<String, Object>) result.structuredContent(),
                    Duration.ofNanos(System.nanoTime() - start));
        }, callers);
    }
}
