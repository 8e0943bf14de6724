package io.agentchat.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.ByteBuffer;
import java.nio.channels.Selector;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The raw client against a hand-driven server socket: upgrade, IDENTIFY, a split PING, a close. */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class NioSocketTest {
    @Test
    void acceptValueIsTheOneInRfc6455() {
        assertEquals("s3pPLMBiTxaQ9kYGzzhZRbK+xOo=", WebSocketHandshake.acceptFor("dGhlIHNhbXBsZSBub25jZQ=="));
    }

    @Test
    void upgradesIdentifiesAnswersAPingCutInTwoAndRecordsTheServersClose() throws Exception {
        try (ServerSocketChannel listener = ServerSocketChannel.open().bind(new InetSocketAddress("127.0.0.1", 0));
             Selector handshakes = Selector.open();
             ReaderLoop loop = new ReaderLoop("bench-test-0")) {
            URI uri = URI.create("ws://127.0.0.1:" + ((InetSocketAddress) listener.getLocalAddress()).getPort() + "/");
            CompletableFuture<NioSocket> opening = CompletableFuture.supplyAsync(() -> {
                try {
                    return NioSocket.open(uri, "t-0", null, handshakes, Duration.ofSeconds(10));
                } catch (IOException e) {
                    throw new IllegalStateException(e);
                }
            });
            try (SocketChannel server = listener.accept()) {
                ByteBuffer in = ByteBuffer.allocate(4096);
                int headEnd;
                while ((headEnd = WebSocketHandshake.endOfHead(in.array(), in.position())) < 0) {
                    server.read(in);
                }
                server.write(ByteBuffer.wrap(WebSocketHandshake.response(
                        new String(in.array(), 0, headEnd, StandardCharsets.ISO_8859_1))));
                NioSocket socket = opening.get(10, TimeUnit.SECONDS);
                loop.add(socket);
                in.flip().position(headEnd);
                in.compact();

                assertEquals(List.of("1:" + Swarm.identify("t-0")), readMessages(server, in, 1));

                ByteBuffer ping = WebSocketFrames.serverFrame(WebSocketFrames.PING, new byte[] {'h', 'i'}, 0, 2);
                server.write(ping.slice().limit(1));
                server.write(ping.position(1));
                assertEquals(List.of("10:hi"), readMessages(server, in, 1));

                byte[] close = WebSocketFrames.closePayload(1001);
                server.write(WebSocketFrames.serverFrame(WebSocketFrames.CLOSE, close, 0, close.length));
                assertThrows(ExecutionException.class, () -> socket.joined().get(10, TimeUnit.SECONDS));
                assertEquals(1001, socket.closeCode());
                assertTrue(readMessages(server, in, 1).get(0).startsWith("8:"), "the client answers the close");
            }
        }
    }

    /** Reads (blocking) until {@code count} messages arrived; each as "opcode:text". */
    private static List<String> readMessages(SocketChannel server, ByteBuffer in, int count) throws IOException {
        List<String> messages = new ArrayList<>();
        FrameReader reader = new FrameReader(1 << 16);
        while (true) {
            in.flip();
            reader.parse(in, (opcode, data, offset, length) ->
                    messages.add(opcode + ":" + new String(data, offset, length, StandardCharsets.UTF_8)));
            in.compact();
            if (messages.size() >= count) {
                return messages;
            }
            if (server.read(in) < 0) {
                throw new IOException("client closed after " + messages);
            }
        }
    }
}
