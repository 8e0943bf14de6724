package io.agentchat.bench;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.net.URI;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.locks.LockSupport;
import org.HdrHistogram.Histogram;

/**
 * One simulated agent on a raw, non-blocking socket: it does the WebSocket upgrade itself, sends
 * masked frames, and is read by a {@link ReaderLoop} in big reads into its own buffer. A benchmark
 * message is found by {@link Payload} in the bytes and goes to the {@link DeliveryLog}; only the
 * few other frames (WELCOME, JOINED, PONG, ERROR, greetings during set-up) become Strings.
 */
final class NioSocket implements FrameReader.Handler, AutoCloseable {
    private static final int READ_BUFFER_BYTES = 64 * 1024;
    /** JOINED lists every member and greetings name many: generous, as the Jetty client's limit was. */
    private static final int MAX_MESSAGE_BYTES = 16 * 1024 * 1024;
    /** A sender whose socket stays full this long gives up (the relay has stopped reading it). */
    private static final long WRITE_STALL_NANOS = Duration.ofSeconds(30).toNanos();

    private final String name;
    private final SocketChannel channel;
    private final DeliveryLog log;
    private final FrameReader frames = new FrameReader(MAX_MESSAGE_BYTES);
    private final Object writeLock = new Object();
    private final CompletableFuture<String> welcome = new CompletableFuture<>();
    private final CompletableFuture<Void> joined = new CompletableFuture<>();
    private volatile CompletableFuture<Void> pong = CompletableFuture.completedFuture(null);
    private ByteBuffer in;
    private Histogram latency;
    private long readNanos;
    private volatile boolean closedByUs;
    private volatile int closeCode = -1;
    private volatile String closeReason = "";
    private volatile String firstError;
    private volatile long errors;

    private NioSocket(String name, SocketChannel channel, ByteBuffer leftover, DeliveryLog log) {
        this.name = name;
        this.channel = channel;
        this.in = leftover;
        this.log = log;
    }

    /**
     * Connects, upgrades (checking 101 and Sec-WebSocket-Accept) and sends IDENTIFY; the socket is
     * non-blocking afterwards. {@code log} receives benchmark messages, or null to drop them.
     */
    static NioSocket open(URI uri, String name, DeliveryLog log, Selector handshakes, Duration timeout)
            throws IOException {
        int port = uri.getPort() < 0 ? 80 : uri.getPort();
        SocketChannel channel = SocketChannel.open(new InetSocketAddress(uri.getHost(), port));
        try {
            channel.setOption(StandardSocketOptions.TCP_NODELAY, true); // a publisher's frame must not wait for an ACK
            channel.configureBlocking(false);
            String key = WebSocketHandshake.newKey();
            String path = uri.getRawPath() == null ? "/" : uri.getRawPath();
            writeFully(channel, ByteBuffer.wrap(WebSocketHandshake.request(uri.getHost(), port, path, key)), timeout);
            ByteBuffer in = ByteBuffer.allocate(READ_BUFFER_BYTES);
            int headEnd = readHead(channel, in, handshakes, timeout);
            WebSocketHandshake.checkResponse(new String(in.array(), 0, headEnd, StandardCharsets.ISO_8859_1), key);
            in.flip().position(headEnd);
            in.compact(); // whatever followed the 101 already is the start of the frame stream
            NioSocket socket = new NioSocket(name, channel, in, log);
            socket.sendText(Swarm.identify(name));
            return socket;
        } catch (IOException | RuntimeException e) {
            channel.close();
            throw e;
        }
    }

    private static int readHead(SocketChannel channel, ByteBuffer in, Selector selector, Duration timeout)
            throws IOException {
        long deadline = System.nanoTime() + timeout.toNanos();
        SelectionKey key = channel.register(selector, SelectionKey.OP_READ);
        try {
            while (true) {
                int end = WebSocketHandshake.endOfHead(in.array(), in.position());
                if (end >= 0) {
                    return end;
                }
                if (!in.hasRemaining()) {
                    throw new IOException("upgrade response head over " + in.capacity() + " bytes");
                }
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    throw new IOException("no upgrade response within " + timeout);
                }
                selector.select(Math.max(1, left / 1_000_000));
                selector.selectedKeys().clear();
                if (channel.read(in) < 0) {
                    throw new IOException("connection closed during the upgrade");
                }
            }
        } finally {
            key.cancel();
            selector.selectNow(); // lets the channel be registered with a reader loop's selector
        }
    }

    /** Called by the owning reader loop when the socket is readable: reads until the kernel has no more. */
    void onReadable(Histogram latency) throws IOException {
        this.latency = latency;
        while (true) {
            int room = in.remaining();
            int n = channel.read(in);
            if (n < 0) {
                onEnd(1006, "connection ended without a close frame");
                return;
            }
            readNanos = System.nanoTime(); // every frame of this read arrived by now
            in.flip();
            frames.parse(in, this);
            in.compact();
            if (!in.hasRemaining()) {
                grow();
            }
            if (n < room || !channel.isOpen()) {
                return; // the kernel had less than we could take: drained
            }
        }
    }

    private void grow() throws IOException {
        in.flip();
        long needed = FrameReader.frameSize(in);
        int capacity = (int) Math.min(MAX_MESSAGE_BYTES + 14L, Math.max(in.capacity() * 2L, needed));
        if (capacity <= in.capacity()) {
            throw new IOException("frame of " + needed + " bytes does not fit");
        }
        in = ByteBuffer.allocate(capacity).put(in);
    }

    @Override
    public void onMessage(int opcode, byte[] data, int offset, int length) throws IOException {
        switch (opcode) {
            case WebSocketFrames.TEXT, WebSocketFrames.BINARY -> {
                int at = Payload.find(data, offset, offset + length);
                if (at >= 0) {
                    if (log != null) {
                        log.record(data, at, offset + length, readNanos, latency);
                    }
                } else {
                    onControlText(new String(data, offset, length, StandardCharsets.UTF_8));
                }
            }
            case WebSocketFrames.PING -> send(WebSocketFrames.clientFrame(WebSocketFrames.PONG,
                    Arrays.copyOfRange(data, offset, offset + length)));
            case WebSocketFrames.CLOSE -> {
                int code = length >= 2 ? ((data[offset] & 0xFF) << 8) | (data[offset + 1] & 0xFF) : 1005;
                String reason = length > 2 ? new String(data, offset + 2, length - 2, StandardCharsets.UTF_8) : "";
                if (!closedByUs) {
                    send(WebSocketFrames.clientFrame(WebSocketFrames.CLOSE, WebSocketFrames.closePayload(code)));
                }
                onEnd(code, reason);
            }
            default -> {
                // PONG to a ping we never send, and opcodes RFC 6455 reserves: nothing to do
            }
        }
    }

    private void onControlText(String text) {
        switch (JsonPeek.type(text)) {
            case "WELCOME" -> welcome.complete(JsonPeek.string(text, "agent_id"));
            case "JOINED" -> joined.complete(null);
            case "PONG" -> pong.complete(null);
            case "ERROR" -> {
                errors++;
                if (firstError == null) {
                    firstError = text;
                }
                IllegalStateException failure = new IllegalStateException(name + ": server answered " + text);
                welcome.completeExceptionally(failure);
                joined.completeExceptionally(failure);
            }
            default -> {
                // greetings, AGENT_JOINED and other chatter of the set-up: not measured
            }
        }
    }

    /** The connection is over (close frame, end of stream or a read error); called on the reader thread. */
    void onEnd(int code, String reason) {
        if (closeCode < 0 && !closedByUs) {
            closeCode = code;
            closeReason = reason;
        }
        IllegalStateException failure = new IllegalStateException(name + ": closed " + code + " " + reason);
        welcome.completeExceptionally(failure);
        joined.completeExceptionally(failure);
        pong.completeExceptionally(failure);
        try {
            channel.close();
        } catch (IOException e) {
            // already gone; the close code above is what the run reports
        }
    }

    void sendText(String text) throws IOException {
        send(WebSocketFrames.clientFrame(WebSocketFrames.TEXT, text.getBytes(StandardCharsets.UTF_8)));
    }

    /**
     * Writes a whole frame from any thread. Frames from several threads never interleave; a full
     * socket makes the caller wait (in short parks), which a publisher reports as send lag.
     */
    void send(ByteBuffer frame) throws IOException {
        synchronized (writeLock) {
            writeFully(channel, frame, Duration.ofNanos(WRITE_STALL_NANOS));
        }
    }

    private static void writeFully(SocketChannel channel, ByteBuffer frame, Duration stall) throws IOException {
        long deadline = System.nanoTime() + stall.toNanos();
        while (frame.hasRemaining()) {
            if (channel.write(frame) == 0) {
                if (System.nanoTime() > deadline) {
                    throw new IOException("socket stayed full for " + stall);
                }
                LockSupport.parkNanos(50_000);
            }
        }
    }

    /** Sends PING; the future completes with the PONG, i.e. after everything the relay queued before it. */
    CompletableFuture<Void> ping() throws IOException {
        CompletableFuture<Void> next = new CompletableFuture<>();
        pong = next;
        sendText(Swarm.PING);
        return next;
    }

    SocketChannel channel() {
        return channel;
    }

    CompletableFuture<String> welcome() {
        return welcome;
    }

    CompletableFuture<Void> joined() {
        return joined;
    }

    long errors() {
        return errors;
    }

    String firstError() {
        return firstError;
    }

    /** -1 while open or when we closed it; otherwise how the relay ended the connection. */
    int closeCode() {
        return closeCode;
    }

    String closeReason() {
        return closeReason;
    }

    @Override
    public void close() {
        closedByUs = true;
        if (!channel.isOpen()) {
            return;
        }
        try {
            synchronized (writeLock) {
                channel.write(WebSocketFrames.clientFrame(WebSocketFrames.CLOSE, WebSocketFrames.closePayload(1000)));
            }
        } catch (IOException e) {
            // the relay is gone already; closing below is all that is left to do
        } finally {
            try {
                channel.close();
            } catch (IOException e) {
                // nothing more to release
            }
        }
    }
}
