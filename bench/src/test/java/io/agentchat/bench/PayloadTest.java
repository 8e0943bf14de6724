package io.agentchat.bench;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

class PayloadTest {
    @Test
    void findsAndParsesThePayloadInARelayedFrame() {
        String frame = "{\"type\":\"MSG\",\"ts\":1,\"from\":\"@abc\",\"to\":\"#b\",\"content\":\""
                + Payload.content(3, 17, -42) + "\"}";
        long[] fields = new long[3];
        Payload.parse(frame, Payload.find(frame), fields);
        assertArrayEquals(new long[] {3, 17, -42}, fields);
    }

    @Test
    void otherFramesAreNotPayloads() {
        assertEquals(-1, Payload.find("{\"type\":\"MSG\",\"ts\":1,\"from\":\"@server\",\"to\":\"#b\",\"content\":\"Welcome\"}"));
    }
}
