package io.agentchat.server.transport;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class SharedUtf8Test {

    @Test
    void oneTextObjectIsEncodedOnceAndEachMemberGetsItsOwnPosition() {
        SharedUtf8 utf8 = new SharedUtf8();
        String frame = "{\"type\":\"MSG\",\"content\":\"h\u00e9 \uD83D\uDE00\"}";
        ByteBuffer first = utf8.encode(frame);
        ByteBuffer second = utf8.encode(frame);
        assertSame(first.array(), second.array(), "the same bytes for every member");
        first.get(new byte[first.remaining()]); // one socket consuming its slice
        assertEquals(frame, StandardCharsets.UTF_8.decode(second).toString(), "leaves the other's intact");
    }

    @Test
    void anotherTextIsEncodedAfreshEvenWhenEqual() {
        SharedUtf8 utf8 = new SharedUtf8();
        String a = "{\"type\":\"PONG\"}";
        String b = new String(a.toCharArray());
        ByteBuffer first = utf8.encode(a);
        ByteBuffer other = utf8.encode("{\"type\":\"ERROR\"}");
        ByteBuffer copy = utf8.encode(b);
        assertNotSame(first.array(), other.array());
        assertNotSame(first.array(), copy.array(), "keyed by identity, not by content");
        assertEquals(a, StandardCharsets.UTF_8.decode(copy).toString());
    }
}
