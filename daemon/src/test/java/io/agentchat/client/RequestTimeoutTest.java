package io.agentchat.client;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.agentchat.protocol.ServerFrame;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The async requests' own timeout and cancellation, against a server that never answers a JOIN. */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class RequestTimeoutTest {

    private static ScriptedServer ignoringJoins() throws Exception {
        return new ScriptedServer((session, text) -> {
            if (text.contains("\"IDENTIFY\"")) {
                ScriptedServer.reply(session, "{\"type\":\"WELCOME\",\"ts\":1,\"agent_id\":\"@0123abcd\",\"server\":\"s\"}");
            } else if (text.contains("\"PING\"")) {
                ScriptedServer.reply(session, "{\"type\":\"PONG\",\"ts\":2}");
            }
        });
    }

    @Test
    void anUnansweredRequestTimesOutWithNobodyWaitingAndLeavesTheQueue() throws Exception {
        try (ScriptedServer server = ignoringJoins();
             AgentChatClient client = new AgentChatClient(ClientOptions.defaults().withTimeouts(Duration.ofSeconds(1)));
             Connection c = client.connect(server.uri(), "alice", null)) {
            CompletableFuture<ServerFrame.Joined> join = c.joinAsync("#general");
            ExecutionException e = assertThrows(ExecutionException.class, () -> join.get(10, TimeUnit.SECONDS));
            ClientException timeout = (ClientException) e.getCause();
            assertEquals(ClientException.Reason.TIMEOUT, timeout.reason());
            assertEquals("Timed out after 1 s waiting for JOINED for #general", timeout.getMessage());
            assertTrue(c.ping().toNanos() > 0, "the PONG answers the PING, not the JOIN given up");
        }
    }

    @Test
    void aCancelledRequestLeavesTheQueue() throws Exception {
        try (ScriptedServer server = ignoringJoins();
             AgentChatClient client = new AgentChatClient(ClientOptions.defaults().withTimeouts(Duration.ofSeconds(5)));
             Connection c = client.connect(server.uri(), "alice", null)) {
            CompletableFuture<ServerFrame.Joined> join = c.joinAsync("#general");
            assertTrue(join.cancel(false));
            assertTrue(c.pingAsync().get(10, TimeUnit.SECONDS).toNanos() > 0);
        }
    }
}
