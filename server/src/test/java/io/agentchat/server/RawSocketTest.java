package io.agentchat.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The server's side of the wire seen from a raw socket: the handshake and a client that sends and goes. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class RawSocketTest extends ServerHarness {
    private static final ObjectMapper JSON = new ObjectMapper();

    /**
     * Node's ws client offers permessage-deflate; had we accepted it, it would compress every send on
     * zlib's thread pool, queueing close() behind it, and a CLI that sends and exits at once (the
     * original's invite and send) would exit before its frame reached the socket. The reference's
     * server accepts no extension; neither do we.
     */
    @Test
    void noExtensionIsNegotiatedAndFramesArePlain() throws Exception {
        start();
        try (RawClient raw = new RawClient(uri.getPort(), "permessage-deflate; client_max_window_bits")) {
            assertFalse(raw.responseHeaders.contains("sec-websocket-extensions"), raw.responseHeaders);
            raw.sendText("{\"type\":\"IDENTIFY\",\"name\":\"raw\"}");
            RawFrame welcome = raw.read();
            assertEquals(0, welcome.rsv, "no RSV bit without an extension");
            assertTrue(welcome.text().contains("\"WELCOME\""), welcome.text());
        }
    }

    /**
     * A client that writes a message and a close frame as soon as it reads JOINED, then closes
     * abortively (RST). Jetty fails the session on the first write that meets the reset and never
     * reads what is still in the receive buffer, so the server must not still be writing the rest of
     * its answer to the JOIN (replay, welcome) when the client acts on JOINED: the answer goes out in
     * one write. The replay grows with each round, so later rounds send a longer answer.
     */
    @Test
    void aMessageSentJustBeforeAnAbortiveCloseIsRelayed() throws Exception {
        start();
        try (TestAgent listener = joined("listener", "#general")) {
            for (int i = 0; i < 20; i++) {
                RawClient raw = new RawClient(uri.getPort(), null);
                raw.sendText("{\"type\":\"IDENTIFY\",\"name\":\"raw\"}");
                String id = JSON.readTree(raw.readUntil("\"WELCOME\"")).get("agent_id").asText();
                raw.sendText("{\"type\":\"JOIN\",\"channel\":\"#general\"}");
                raw.readUntil("\"JOINED\""); // the replay and the greeting follow, unread
                raw.sendText("{\"type\":\"MSG\",\"to\":\"#general\",\"content\":\"last words " + i + "\"}");
                raw.sendClose();
                raw.abort();
                String expected = "last words " + i;
                listener.await("MSG", m -> m.path("content").asText().equals(expected));
                // Gone before the next one joins: its AGENT_LEFT would otherwise be written to the next
                // client, perhaps after that one's reset, and fail its socket before its message is read.
                listener.await("AGENT_LEFT", m -> m.path("agent").asText().equals(id));
            }
        }
    }

    private record RawFrame(int rsv, int opcode, byte[] payload) {
        String text() {
            return new String(payload, StandardCharsets.UTF_8);
        }
    }

    /** A minimal RFC 6455 client: masked frames out, unfragmented frames in. */
    private static final class RawClient implements AutoCloseable {
        private final Socket socket;
        private final InputStream in;
        private final OutputStream out;
        final String responseHeaders;

        RawClient(int port, String extensions) throws IOException {
            socket = new Socket("127.0.0.1", port);
            socket.setSoTimeout(5000);
            socket.setTcpNoDelay(true);
            in = socket.getInputStream();
            out = socket.getOutputStream();
            String request = "GET / HTTP/1.1\r\nHost: 127.0.0.1:" + port + "\r\nUpgrade: websocket\r\n"
                    + "Connection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"
                    + "Sec-WebSocket-Version: 13\r\n"
                    + (extensions == null ? "" : "Sec-WebSocket-Extensions: " + extensions + "\r\n") + "\r\n";
            out.write(request.getBytes(StandardCharsets.US_ASCII));
            out.flush();
            ByteArrayOutputStream head = new ByteArrayOutputStream();
            while (!head.toString(StandardCharsets.US_ASCII).endsWith("\r\n\r\n")) {
                int b = in.read();
                if (b < 0) {
                    throw new EOFException("handshake cut short: " + head);
                }
                head.write(b);
            }
            String response = head.toString(StandardCharsets.US_ASCII);
            if (!response.startsWith("HTTP/1.1 101")) {
                throw new IOException("no upgrade: " + response);
            }
            responseHeaders = response.toLowerCase(Locale.ROOT);
        }

        void sendText(String text) throws IOException {
            send(0x1, text.getBytes(StandardCharsets.UTF_8));
        }

        void sendClose() throws IOException {
            send(0x8, new byte[] {0x03, (byte) 0xE8}); // 1000
        }

        private void send(int opcode, byte[] payload) throws IOException {
            ByteArrayOutputStream frame = new ByteArrayOutputStream();
            frame.write(0x80 | opcode);
            if (payload.length < 126) {
                frame.write(0x80 | payload.length);
            } else {
                frame.write(0x80 | 126);
                frame.write(payload.length >> 8);
                frame.write(payload.length & 0xFF);
            }
            byte[] mask = {0x12, 0x34, 0x56, 0x78};
            frame.write(mask);
            for (int i = 0; i < payload.length; i++) {
                frame.write(payload[i] ^ mask[i & 3]);
            }
            out.write(frame.toByteArray());
            out.flush();
        }

        RawFrame read() throws IOException {
            int b0 = readByte();
            int b1 = readByte();
            long length = b1 & 0x7F;
            if (length == 126) {
                length = ((long) readByte() << 8) | readByte();
            } else if (length == 127) {
                length = 0;
                for (int i = 0; i < 8; i++) {
                    length = (length << 8) | readByte();
                }
            }
            byte[] payload = in.readNBytes((int) length);
            if (payload.length != length) {
                throw new EOFException("frame cut short");
            }
            return new RawFrame((b0 >> 4) & 0x7, b0 & 0xF, payload);
        }

        /** The text of the first frame containing {@code marker}; the frames before it are skipped. */
        String readUntil(String marker) throws IOException {
            while (true) {
                String text = read().text();
                if (text.contains(marker)) {
                    return text;
                }
            }
        }

        private int readByte() throws IOException {
            int b = in.read();
            if (b < 0) {
                throw new EOFException();
            }
            return b;
        }

        /** Closes with SO_LINGER 0: the kernel sends RST, not FIN. */
        void abort() throws IOException {
            socket.setSoLinger(true, 0);
            socket.close();
        }

        @Override
        public void close() throws IOException {
            socket.close();
        }
    }
}
