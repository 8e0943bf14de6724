package io.agentchat.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class FrameReaderTest {
    private final List<String> messages = new ArrayList<>();
    private final FrameReader.Handler recorder = (opcode, data, offset, length) ->
            messages.add(opcode + ":" + new String(data, offset, length, StandardCharsets.UTF_8));

    @Test
    void readsFramesOfEveryLengthEncodingEvenWhenReadsCutThem() throws IOException {
        String small = "a".repeat(125);
        String medium = "b".repeat(126);
        String large = "c".repeat(70_000);
        ByteBuffer stream = ByteBuffer.allocate(80_000);
        for (String text : List.of(small, medium, large)) {
            byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
            stream.put(WebSocketFrames.serverFrame(WebSocketFrames.TEXT, bytes, 0, bytes.length));
        }
        stream.flip();
        FrameReader reader = new FrameReader(1 << 20);
        ByteBuffer in = ByteBuffer.allocate(80_000);
        while (stream.hasRemaining()) { // 1,000-byte "reads"
            ByteBuffer read = stream.slice().limit(Math.min(1000, stream.remaining()));
            stream.position(stream.position() + read.remaining());
            in.put(read).flip();
            reader.parse(in, recorder);
            in.compact();
        }
        assertEquals(List.of("1:" + small, "1:" + medium, "1:" + large), messages);
    }

    @Test
    void unmasksClientFramesAndReassemblesFragments() throws IOException {
        ByteBuffer in = ByteBuffer.allocate(1000);
        in.put(WebSocketFrames.clientFrame(WebSocketFrames.TEXT, "{\"type\":\"PING\"}".getBytes(StandardCharsets.UTF_8)));
        in.put(new byte[] {0x01, 0x03, 'a', 'b', 'c'}); // TEXT without FIN
        in.put(new byte[] {(byte) 0x89, 0x01, 'p'});    // a PING between the fragments
        in.put(new byte[] {(byte) 0x80, 0x02, 'd', 'e'}); // the final continuation
        in.flip();
        new FrameReader(1000).parse(in, recorder);
        assertEquals(List.of("1:{\"type\":\"PING\"}", "9:p", "1:abcde"), messages);
        assertEquals(0, in.remaining());
    }
}
