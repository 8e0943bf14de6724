package io.agentchat.bench;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class PayloadTest {
    @Test
    void findsAndParsesThePayloadInTheBytesOfARelayedFrame() {
        byte[] frame = ("xx{\"type\":\"MSG\",\"ts\":1,\"from\":\"@abc\",\"to\":\"#b\",\"content\":\""
                + Payload.content(3, 17, -42) + "\",\"seq\":18,\"epoch\":\"e\"}").getBytes(StandardCharsets.UTF_8);
        int at = Payload.find(frame, 2, frame.length);
        long[] fields = new long[3];
        assertTrue(Payload.parse(frame, at, frame.length, fields));
        assertArrayEquals(new long[] {3, 17, -42}, fields);
    }

    @Test
    void otherFramesAreNotPayloads() {
        byte[] frame = "{\"type\":\"MSG\",\"ts\":1,\"from\":\"@server\",\"to\":\"#b\",\"content\":\"Welcome\"}"
                .getBytes(StandardCharsets.UTF_8);
        assertEquals(-1, Payload.find(frame, 0, frame.length));
    }

    @Test
    void aTruncatedPayloadIsMalformed() {
        byte[] frame = "\"content\":\"bench|1|2".getBytes(StandardCharsets.UTF_8);
        assertFalse(Payload.parse(frame, Payload.find(frame, 0, frame.length), frame.length, new long[3]));
    }
}
