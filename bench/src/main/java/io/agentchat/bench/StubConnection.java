package io.agentchat.bench;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.Arrays;
import java.util.HashSet;
import java.util.Set;

/**
 * One socket of the {@link StubRelay}: the upgrade, reading client frames in big reads, and an
 * output queue of ready frames drained with gathering writes. The queue is bounded in bytes: a
 * client that stops reading is dropped, as our relay drops a slow consumer (docs/protocol.md §1.2).
 * Used only on the relay's one thread.
 */
final class StubConnection implements FrameReader.Handler {
    private static final int READ_BUFFER_BYTES = 64 * 1024;
    private static final int MAX_MESSAGE_BYTES = 65_536; // our relay's default (docs/protocol.md §1.2)
    private static final int MAX_QUEUED_BYTES = 4 * 1024 * 1024;
    private static final int MAX_BUFFERS_PER_WRITE = 256;

    private final StubRelay relay;
    private final SocketChannel channel;
    private final SelectionKey key;
    private final FrameReader frames = new FrameReader(MAX_MESSAGE_BYTES);
    private final ArrayDeque<ByteBuffer> out = new ArrayDeque<>();
    private final ByteBuffer[] batch = new ByteBuffer[MAX_BUFFERS_PER_WRITE];
    private final Set<String> channels = new HashSet<>();
    private final ByteBuffer in = ByteBuffer.allocate(READ_BUFFER_BYTES);
    private long queuedBytes;
    private boolean upgraded;
    private boolean dirty;
    private boolean closed;
    private String agentId;

    StubConnection(StubRelay relay, SocketChannel channel, SelectionKey key) {
        this.relay = relay;
        this.channel = channel;
        this.key = key;
    }

    /** Reads until the kernel has nothing more, handling every complete frame. */
    void onReadable() throws IOException {
        while (!closed) {
            int room = in.remaining();
            int n = channel.read(in);
            if (n < 0) {
                close();
                return;
            }
            if (!upgraded && !upgrade()) {
                return;
            }
            in.flip();
            frames.parse(in, this);
            in.compact();
            if (!in.hasRemaining()) {
                throw new IOException("client frame does not fit in " + in.capacity() + " bytes");
            }
            if (n < room) {
                return;
            }
        }
    }

    /** Answers the upgrade once its head is complete; false while it is not (or when it was refused). */
    private boolean upgrade() throws IOException {
        int end = WebSocketHandshake.endOfHead(in.array(), in.position());
        if (end < 0) {
            if (!in.hasRemaining()) {
                close();
            }
            return false;
        }
        byte[] response = WebSocketHandshake.response(new String(in.array(), 0, end, StandardCharsets.ISO_8859_1));
        if (response == null) {
            channel.write(ByteBuffer.wrap("HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\n\r\n"
                    .getBytes(StandardCharsets.US_ASCII)));
            close();
            return false;
        }
        upgraded = true;
        enqueue(ByteBuffer.wrap(response));
        in.flip().position(end);
        in.compact();
        return true;
    }

    @Override
    public void onMessage(int opcode, byte[] data, int offset, int length) throws IOException {
        switch (opcode) {
            case WebSocketFrames.TEXT, WebSocketFrames.BINARY -> relay.onText(this, data, offset, length);
            case WebSocketFrames.PING -> enqueue(WebSocketFrames.serverFrame(WebSocketFrames.PONG, data, offset, length));
            case WebSocketFrames.CLOSE -> {
                enqueue(WebSocketFrames.serverFrame(WebSocketFrames.CLOSE, data, offset, Math.min(length, 2)));
                flush();
                close();
            }
            default -> {
                // PONG and reserved opcodes: nothing to answer
            }
        }
    }

    /**
     * Queues a ready frame (shared buffers are passed as duplicates) and marks this socket for the
     * flush at the end of the relay's select round, so frames queued in one round go out in one write.
     */
    void enqueue(ByteBuffer frame) throws IOException {
        if (closed) {
            return;
        }
        if (queuedBytes + frame.remaining() > MAX_QUEUED_BYTES) {
            close(); // slow consumer: dropped without a close frame, as our relay does
            return;
        }
        out.add(frame);
        queuedBytes += frame.remaining();
        if (!dirty) {
            dirty = true;
            relay.markDirty(this);
        }
    }

    /** Writes as much of the queue as the socket takes, several frames per gathering write. */
    void flush() throws IOException {
        dirty = false;
        while (!out.isEmpty() && !closed) {
            int count = 0;
            for (ByteBuffer frame : out) {
                batch[count++] = frame;
                if (count == batch.length) {
                    break;
                }
            }
            long written = channel.write(batch, 0, count);
            queuedBytes -= written;
            while (!out.isEmpty() && !out.peek().hasRemaining()) {
                out.poll();
            }
            Arrays.fill(batch, 0, count, null);
            if (written == 0 || !out.isEmpty() && count < batch.length) {
                break; // the socket is full: wait until it is writable
            }
        }
        if (!closed) {
            key.interestOps(out.isEmpty() ? SelectionKey.OP_READ : SelectionKey.OP_READ | SelectionKey.OP_WRITE);
        }
    }

    void close() {
        if (closed) {
            return;
        }
        closed = true;
        relay.onClosed(this);
        key.cancel();
        try {
            channel.close();
        } catch (IOException e) {
            // the socket is gone either way
        }
    }

    boolean isClosed() {
        return closed;
    }

    String agentId() {
        return agentId;
    }

    void identify(String id) {
        this.agentId = id;
    }

    Set<String> channels() {
        return channels;
    }
}
