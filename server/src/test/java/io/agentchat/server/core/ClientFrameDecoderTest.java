package io.agentchat.server.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.agentchat.protocol.ClientFrame;
import io.agentchat.protocol.ErrorCode;
import io.agentchat.protocol.FrameCodec;
import io.agentchat.protocol.ProtocolException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class ClientFrameDecoderTest {
    private final FrameCodec codec = new FrameCodec();

    private ClientFrame decode(String text) {
        return ClientFrameDecoder.decode(codec, text);
    }

    private void assertInvalid(String frame, String message) {
        ProtocolException e = assertThrows(ProtocolException.class, () -> decode(frame));
        assertEquals(ErrorCode.INVALID_MSG, e.code());
        assertEquals(message, e.getMessage());
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "{bad                                   | Invalid JSON",
        "''                                     | Invalid JSON",
        "null                                   | Missing message type",
        "42                                     | Missing message type",
        "[]                                     | Missing message type",
        "{}                                     | Missing message type",
        "{\"type\":\"\"}                        | Missing message type",
        "{\"type\":\"join\"}                    | Unknown message type: join",
        "{\"type\":\"JOIN\",\"channel\":\"general\"} | Invalid channel name",
        "{\"type\":\"JOIN\",\"channel\":5}      | Invalid channel name",
        "{\"type\":\"MSG\",\"to\":5,\"content\":\"x\"} | Invalid target (must start with # or @)",
        "{\"type\":\"MSG\",\"to\":\"\",\"content\":\"x\"} | Missing target",
        "{\"type\":\"MSG\",\"to\":\"#a\"}       | Missing or invalid content",
        "{\"type\":\"MSG\",\"to\":\"#a\",\"content\":\"x\",\"sig\":5} | Invalid signature format",
        "{\"type\":\"INVITE\",\"channel\":\"#a\",\"agent\":5} | Invalid agent target",
        "{\"type\":\"IDENTIFY\",\"name\":\"bad name\"} | Invalid agent name",
        "{\"type\":\"IDENTIFY\",\"name\":\"a\",\"pubkey\":5} | Invalid public key format (must be Ed25519 PEM)",
        "{\"type\":\"REGISTER_SKILLS\",\"skills\":[null],\"sig\":\"x\"} | Each skill must have a capability string",
        "{\"type\":\"SEARCH_SKILLS\",\"query\":\"x\"} | Missing or invalid query object",
        "{\"type\":\"VERIFY_REQUEST\",\"target\":5,\"nonce\":\"0123456789abcdef\"} | Target must be an agent (@id)",
        "{\"type\":\"VERIFY_REQUEST\",\"target\":\"@a\",\"nonce\":\"short\"} | Nonce must be 16-128 characters",
        "{\"type\":\"PROPOSAL\",\"to\":\"@a\",\"task\":\"t\",\"sig\":\"s\",\"amount\":\"abc\"} | amount must be a non-negative number",
        "{\"type\":\"ACCEPT\",\"proposal_id\":\"p\",\"sig\":\"s\",\"elo_stake\":1.5} | elo_stake must be a non-negative integer",
        "{\"type\":\"PROPOSAL\",\"to\":\"@a\",\"task\":\"t\",\"sig\":\"s\",\"expires\":-1e400} | expires must be a number (seconds)",
        "{\"type\":\"PROPOSAL\",\"to\":\"@a\",\"task\":\"t\",\"sig\":\"s\",\"expires\":1e400} | expires must be a number (seconds)",
        "{\"type\":\"SET_PRESENCE\",\"status\":\"sleeping\"} | Invalid presence status. Must be one of: online, away, busy, offline",
    })
    void badFramesGetTheReferenceMessage(String frame, String message) {
        assertInvalid(frame, message);
    }

    @Test
    void contentLimitCountsUtf16Units() {
        String emoji = "\uD83D\uDE00";
        String ok = emoji.repeat(2048);
        ClientFrame.Msg msg = (ClientFrame.Msg) decode(
                "{\"type\":\"MSG\",\"to\":\"#general\",\"content\":\"" + ok + "\"}");
        assertEquals(4096, msg.content().length());
        assertInvalid("{\"type\":\"MSG\",\"to\":\"#general\",\"content\":\"" + ok + emoji + "\"}",
                "Content too long (max 4096 chars)");
    }

    @Test
    void nullCountsAsAbsentForOptionalFields() {
        ClientFrame.Identify id = (ClientFrame.Identify) decode(
                "{\"type\":\"IDENTIFY\",\"name\":\"eph\",\"pubkey\":null}");
        assertNull(id.pubkey());
        ClientFrame.Accept accept = (ClientFrame.Accept) decode(
                "{\"type\":\"ACCEPT\",\"proposal_id\":\"p\",\"sig\":\"s\",\"elo_stake\":null,\"payment_code\":null}");
        assertNull(accept.eloStake());
        assertNull(accept.paymentCode());
    }

    @Test
    void inviteOnlyFollowsJavaScriptTruthiness() {
        assertTrue(((ClientFrame.CreateChannel) decode(
                "{\"type\":\"CREATE_CHANNEL\",\"channel\":\"#s\",\"invite_only\":\"yes\"}")).inviteOnly());
        assertEquals(false, ((ClientFrame.CreateChannel) decode(
                "{\"type\":\"CREATE_CHANNEL\",\"channel\":\"#s\",\"private\":true}")).inviteOnly());
    }

    @Test
    void deeplyNestedJsonIsRefused() {
        String deep = "{\"type\":\"PING\",\"x\":" + "[".repeat(100) + "]".repeat(100) + "}";
        assertInvalid(deep, "Invalid JSON");
    }

    // Text after the JSON value is FrameCodec.parse's to refuse: FrameCodecTest and, over the wire,
    // MalformedFramesTest cover it.

    @Test
    void whitespaceAfterTheJsonValueIsAllowed() {
        assertInstanceOf(ClientFrame.Ping.class, decode("{\"type\":\"PING\"} \n\t "));
    }
}
