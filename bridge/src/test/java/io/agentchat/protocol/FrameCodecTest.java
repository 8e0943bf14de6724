package io.agentchat.protocol;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class FrameCodecTest {
    private final FrameCodec codec = new FrameCodec();

    private void assertInvalidJson(String text) {
        ProtocolException e = assertThrows(ProtocolException.class, () -> codec.parse(text));
        assertEquals(ErrorCode.INVALID_MSG, e.code());
        assertEquals("Invalid JSON", e.getMessage());
    }

    @Test
    void serverFramesUseTheReferenceKeyOrderAndNulls() {
        assertEquals("{\"type\":\"WELCOME\",\"ts\":1,\"agent_id\":\"@857005ba\",\"server\":\"agentchat\"}",
                codec.encode(new ServerFrame.Welcome(1, "@857005ba", "agentchat")));
        assertEquals("{\"type\":\"MSG\",\"ts\":2,\"from\":\"@a\",\"to\":\"#general\",\"content\":\"hi\",\"replay\":true}",
                codec.encode(ServerFrame.Msg.of(2, "@a", "#general", "hi").asReplay()));
        assertEquals("{\"type\":\"AGENTS\",\"ts\":3,\"channel\":\"#g\",\"list\":[{\"id\":\"@a\",\"name\":\"alice\","
                        + "\"presence\":\"online\",\"status_text\":null}]}",
                codec.encode(new ServerFrame.Agents(3, "#g",
                        List.of(new ServerFrame.AgentInfo("@a", "alice", "online", null)))));
        assertEquals("{\"type\":\"VERIFY_REQUEST\",\"ts\":4,\"request_id\":\"r\",\"target\":\"@b\",\"status\":\"pending\"}",
                codec.encode(ServerFrame.VerifyRequest.ack(4, "r", "@b")));
        assertEquals("{\"type\":\"ERROR\",\"ts\":5,\"code\":\"AUTH_REQUIRED\",\"message\":\"Must IDENTIFY first\"}",
                codec.encode(new ServerFrame.Error(5, ErrorCode.AUTH_REQUIRED, "Must IDENTIFY first")));
    }

    @Test
    void serverFramesRoundTripOnTheClientSide() {
        ServerFrame.Joined joined = new ServerFrame.Joined(7, "#general", List.of("@a", "@b"));
        assertEquals(joined, codec.decodeServer(codec.encode(joined)));
        ServerFrame.Msg msg = ServerFrame.Msg.of(8, "@a", "@b", "x");
        assertEquals(msg, codec.decodeServer(codec.encode(msg)));
        ServerFrame unknown = codec.decodeServer("{\"type\":\"NEW_THING\",\"ts\":9,\"x\":1}");
        assertInstanceOf(ServerFrame.Unknown.class, unknown);
        assertEquals("NEW_THING", unknown.wireType());
    }

    @Test
    void clientFramesLeaveAbsentFieldsOut() {
        assertEquals("{\"type\":\"ACCEPT\",\"proposal_id\":\"p\",\"sig\":\"s\"}",
                codec.encode(new ClientFrame.Accept("p", null, null, "s")));
        assertEquals("{\"type\":\"IDENTIFY\",\"name\":\"eph\"}", codec.encode(new ClientFrame.Identify("eph", null)));
        assertEquals("{\"type\":\"PING\"}", codec.encode(new ClientFrame.Ping()));
        assertEquals("{\"type\":\"PROPOSAL\",\"to\":\"@b\",\"task\":\"t\",\"amount\":5,\"expires\":1.5,\"sig\":\"s\"}",
                codec.encode(new ClientFrame.Proposal("@b", "t", 5.0, null, null, null, 1.5, null, "s")));
    }

    @Test
    void deeplyNestedJsonIsRefused() {
        String deep = "{\"type\":\"PING\",\"x\":" + "[".repeat(100) + "]".repeat(100) + "}";
        assertInvalidJson(deep);
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "{\"type\":\"PING\"} xyz",
        "{\"type\":\"PING\"}{\"type\":\"PING\"}",
        "{\"type\":\"PING\"} 1",
        "{\"type\":\"PING\"}]",
    })
    void anythingAfterTheJsonValueIsInvalidJson(String frame) {
        assertInvalidJson(frame);
    }

    @Test
    void whitespaceAfterTheJsonValueIsAllowed() {
        assertEquals("PING", codec.parse("{\"type\":\"PING\"} \n\t ").get("type").asText());
    }
}
