package io.agentchat.protocol;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.Test;

class FrameTypeTest {
    private final FrameCodec codec = new FrameCodec();

    @Test
    void everyClientRecordHasExactlyOneWireType() {
        Set<Class<?>> named = new HashSet<>();
        for (FrameType type : FrameType.values()) {
            if (type.clientFrame() != null) {
                assertTrue(named.add(type.clientFrame()), type + " repeats " + type.clientFrame());
                assertEquals(type, FrameType.of(type.clientFrame()));
            }
        }
        assertEquals(Set.of(ClientFrame.class.getPermittedSubclasses()), named);
    }

    @Test
    void everyServerRecordButUnknownHasExactlyOneWireType() {
        Set<Class<?>> named = new HashSet<>();
        for (FrameType type : FrameType.values()) {
            if (type.serverFrame() != null) {
                assertTrue(named.add(type.serverFrame()), type + " repeats " + type.serverFrame());
                assertEquals(type, FrameType.of(type.serverFrame()));
            }
        }
        named.add(ServerFrame.Unknown.class);
        assertEquals(Set.of(ServerFrame.class.getPermittedSubclasses()), named);
    }

    @Test
    void theWireNameIsTheConstantsName() {
        assertEquals("{\"type\":\"LIST_CHANNELS\"}", codec.encode(new ClientFrame.ListChannels()));
        assertEquals("{\"type\":\"SKILLS_REGISTERED\",\"ts\":1,\"agent_id\":\"@a\",\"skills_count\":2,"
                + "\"registered_at\":3}", codec.encode(new ServerFrame.SkillsRegistered(1, "@a", 2, 3)));
        assertEquals(FrameType.VERIFY_REQUEST, FrameType.fromWire("VERIFY_REQUEST"));
        assertNull(FrameType.fromWire("verify_request"));
        assertNull(FrameType.fromWire("UNKNOWN"));
    }

    @Test
    void aServerFrameDecodesToTheRecordOfItsDirection() {
        ServerFrame frame = codec.decodeServer(codec.encode(ServerFrame.VerifyRequest.ack(4, "r", "@b")));
        assertInstanceOf(ServerFrame.VerifyRequest.class, frame);
        assertEquals(FrameType.VERIFY_REQUEST, frame.type());
        // A client-only type from a server is one this client does not know.
        ServerFrame identify = codec.decodeServer("{\"type\":\"IDENTIFY\",\"ts\":1,\"name\":\"x\"}");
        assertInstanceOf(ServerFrame.Unknown.class, identify);
        assertNull(identify.type());
        assertEquals("IDENTIFY", identify.wireType());
    }

    @Test
    void anUnknownFrameStillEncodes() {
        String text = codec.encode(new ServerFrame.Unknown(1, "NEW_THING"));
        assertEquals("{\"type\":\"UNKNOWN\",\"ts\":1,\"wire_type\":\"NEW_THING\"}", text);
    }
}
