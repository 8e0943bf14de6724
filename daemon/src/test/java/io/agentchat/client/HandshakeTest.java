package io.agentchat.client;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.agentchat.identity.Identity;
import io.agentchat.protocol.ErrorCode;
import java.time.Clock;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Handshake edge cases a correct server never produces, played by a scripted server. */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class HandshakeTest {

    @Test
    void aServerThatNeverWelcomesFailsTheConnectWithinTheTimeout() throws Exception {
        try (ScriptedServer silent = new ScriptedServer((session, text) -> { });
             AgentChatClient client = new AgentChatClient(ClientOptions.defaults().withTimeouts(Duration.ofSeconds(1)))) {
            long start = System.nanoTime();
            ClientException e = assertThrows(ClientException.class, () -> client.connect(silent.uri(), "alice", null));
            long elapsedMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
            assertEquals(ClientException.Reason.TIMEOUT, e.reason());
            assertTrue(e.getMessage().contains("WELCOME"), e.getMessage());
            assertTrue(elapsedMs < 5_000, "took " + elapsedMs + " ms");
        }
    }

    @Test
    void onlyTheServersOwnIdentifyChallengeIsSigned() throws Exception {
        Identity identity = Identity.generate("keyed", Clock.systemUTC());
        String welcome = "{\"type\":\"WELCOME\",\"ts\":1,\"agent_id\":\"@" + identity.agentId() + "\",\"server\":\"s\"}";
        try (ScriptedServer hostile = new ScriptedServer((session, text) -> {
                if (text.contains("\"IDENTIFY\"")) {
                    // A challenge with a nonce that is not ours to sign (signing it would make us a
                    // signing oracle, see VerificationResponder), one from another agent, then the real one.
                    ScriptedServer.reply(session, "{\"type\":\"VERIFY_REQUEST\",\"ts\":1,\"request_id\":\"r1\","
                            + "\"from\":\"@server\",\"nonce\":\"COMPLETE|prop_x|proof-0123\"}");
                    ScriptedServer.reply(session, "{\"type\":\"VERIFY_REQUEST\",\"ts\":1,\"request_id\":\"r2\","
                            + "\"from\":\"@12345678\",\"nonce\":\"AGENTCHAT-IDENTIFY-00112233445566778899aabbccddeeff\"}");
                    ScriptedServer.reply(session, "{\"type\":\"VERIFY_REQUEST\",\"ts\":1,\"request_id\":\"identify_1\","
                            + "\"from\":\"@server\",\"nonce\":\"AGENTCHAT-IDENTIFY-0123456789abcdef0123456789abcdef\"}");
                } else if (text.contains("\"VERIFY_RESPONSE\"")) {
                    ScriptedServer.reply(session, welcome);
                    // As our server does: the verdict on the answer, which connect waits for.
                    ScriptedServer.reply(session, "{\"type\":\"VERIFY_SUCCESS\",\"ts\":1,\"request_id\":\"identify_1\","
                            + "\"verified\":true}");
                } else if (text.contains("\"PING\"")) {
                    ScriptedServer.reply(session, "{\"type\":\"PONG\",\"ts\":2}");
                }
            });
             AgentChatClient client = new AgentChatClient(ClientOptions.defaults().withTimeouts(Duration.ofSeconds(5)));
             Connection c = client.connect(hostile.uri(), "x", identity)) {
            c.ping();
            long responses = hostile.received.stream().filter(t -> t.contains("VERIFY_RESPONSE")).count();
            assertEquals(1, responses, hostile.received.toString());
            String response = hostile.received.stream().filter(t -> t.contains("VERIFY_RESPONSE")).findFirst().get();
            assertTrue(response.contains("\"request_id\":\"identify_1\""), response);
            assertFalse(response.contains("COMPLETE"), response);
        }
    }

    @Test
    void aPeersVerificationRequestRightAfterWelcomeIsAnswered() throws Exception {
        Identity identity = Identity.generate("keyed", Clock.systemUTC());
        try (ScriptedServer server = new ScriptedServer((session, text) -> {
                if (text.contains("\"IDENTIFY\"")) {
                    // A server without an identity challenge (the reference), and a peer's request
                    // in the same burst as WELCOME. The reader marks the end of the handshake at
                    // WELCOME; when connect() returns is too late. This run cannot force the reader
                    // to win that race, so it checks the behaviour, not the interleaving.
                    ScriptedServer.reply(session, "{\"type\":\"WELCOME\",\"ts\":1,\"agent_id\":\"@"
                            + identity.agentId() + "\",\"server\":\"s\"}");
                    ScriptedServer.reply(session, "{\"type\":\"VERIFY_REQUEST\",\"ts\":1,\"request_id\":\"verify_1\","
                            + "\"from\":\"@12345678\",\"nonce\":\"0123456789abcdef0123456789abcdef\"}");
                } else if (text.contains("\"PING\"")) {
                    ScriptedServer.reply(session, "{\"type\":\"PONG\",\"ts\":2}");
                }
            });
             AgentChatClient client = new AgentChatClient(ClientOptions.defaults().withTimeouts(Duration.ofSeconds(5))
                     .withAnswerVerifications(true));
             Connection c = client.connect(server.uri(), "x", identity)) {
            await().atMost(Duration.ofSeconds(5)).until(() ->
                    server.received.stream().anyMatch(t -> t.contains("\"VERIFY_RESPONSE\"")));
            String response = server.received.stream().filter(t -> t.contains("VERIFY_RESPONSE")).findFirst().get();
            assertTrue(response.contains("\"request_id\":\"verify_1\""), response);
        }
    }

    @Test
    void aServerThatNeverAnswersOurVerificationAnswerDoesNotShiftTheNextRequestsError() throws Exception {
        Identity identity = Identity.generate("keyed", Clock.systemUTC());
        try (ScriptedServer server = new ScriptedServer((session, text) -> {
                if (text.contains("\"IDENTIFY\"")) {
                    ScriptedServer.reply(session, "{\"type\":\"WELCOME\",\"ts\":1,\"agent_id\":\"@"
                            + identity.agentId() + "\",\"server\":\"s\"}");
                    ScriptedServer.reply(session, "{\"type\":\"VERIFY_REQUEST\",\"ts\":1,\"request_id\":\"v1\","
                            + "\"from\":\"@12345678\",\"nonce\":\"0123456789abcdef0123456789abcdef\"}");
                } else if (text.contains("\"PING\"")) {
                    ScriptedServer.reply(session, "{\"type\":\"PONG\",\"ts\":2}");
                } else if (text.contains("\"JOIN\"")) {
                    ScriptedServer.reply(session, "{\"type\":\"ERROR\",\"ts\":3,\"code\":\"CHANNEL_NOT_FOUND\","
                            + "\"message\":\"Channel #nosuch not found\"}");
                }
                // VERIFY_RESPONSE: no reply at all.
            });
             AgentChatClient client = new AgentChatClient(ClientOptions.defaults().withTimeouts(Duration.ofSeconds(3))
                     .withAnswerVerifications(true));
             Connection c = client.connect(server.uri(), "x", identity)) {
            await().atMost(Duration.ofSeconds(5)).until(() ->
                    server.received.stream().anyMatch(t -> t.contains("\"VERIFY_RESPONSE\"")));
            ServerErrorException e = assertThrows(ServerErrorException.class, () -> c.join("#nosuch"));
            assertEquals(ErrorCode.CHANNEL_NOT_FOUND, e.code());
        }
    }

    @Test
    void anEphemeralClientIgnoresChallenges() throws Exception {
        try (ScriptedServer server = new ScriptedServer((session, text) -> {
                if (text.contains("\"IDENTIFY\"")) {
                    ScriptedServer.reply(session, "{\"type\":\"VERIFY_REQUEST\",\"ts\":1,\"request_id\":\"identify_1\","
                            + "\"from\":\"@server\",\"nonce\":\"AGENTCHAT-IDENTIFY-0123456789abcdef0123456789abcdef\"}");
                    ScriptedServer.reply(session, "{\"type\":\"WELCOME\",\"ts\":1,\"agent_id\":\"@abcdefgh\",\"server\":\"s\"}");
                } else if (text.contains("\"PING\"")) {
                    ScriptedServer.reply(session, "{\"type\":\"PONG\",\"ts\":2}");
                }
            });
             AgentChatClient client = new AgentChatClient(ClientOptions.defaults().withTimeouts(Duration.ofSeconds(5)));
             Connection c = client.connect(server.uri(), "x", null)) {
            c.ping();
            assertTrue(server.received.stream().noneMatch(t -> t.contains("VERIFY_RESPONSE")));
            assertTrue(server.received.get(0).equals("{\"type\":\"IDENTIFY\",\"name\":\"x\"}"),
                    "absent optional fields are left out: " + server.received.get(0));
        }
    }
}
