package io.agentchat.bench;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.net.URI;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The machine's limit, not a product: a fan-out relay with no Jetty, one NIO thread
 * ({@value #THREAD_NAME}), just enough of the protocol for the fan-out benchmark. IDENTIFY gets a
 * WELCOME, JOIN and CREATE_CHANNEL a JOINED (with an empty member list), LEAVE a LEFT, PING a PONG,
 * and a MSG to a channel is encoded once (WebSocket header and JSON in one buffer) and queued to
 * every member, the sender included, as docs/protocol.md §6.1 has it; each member's queue is then
 * written with gathering writes. No signatures, limits, replay, greetings or presence. Client
 * frames must be compact JSON with {@code type}, {@code channel}, {@code to} and {@code content}
 * as plain strings, as both our codec and the original's JSON.stringify write them.
 */
final class StubRelay implements Runnable, AutoCloseable {
    static final String THREAD_NAME = "stub-relay";
    private static final Logger LOG = LoggerFactory.getLogger(StubRelay.class);
    private static final String EPOCH = "stubstubstub";
    private static final byte[] TYPE = key("type");
    private static final byte[] CHANNEL = key("channel");
    private static final byte[] TO = key("to");
    private static final byte[] CONTENT = key("content");

    private final ServerSocketChannel server;
    private final Selector selector;
    private final Thread thread;
    private final Map<String, StubChannel> channels = new HashMap<>();
    private final List<StubConnection> dirty = new ArrayList<>();
    private volatile boolean running = true;
    private long nextAgent;

    /** A channel's members in join order and the seq of its last message. */
    private static final class StubChannel {
        final List<StubConnection> members = new ArrayList<>();
        long seq;
    }

    private StubRelay(ServerSocketChannel server, Selector selector) {
        this.server = server;
        this.selector = selector;
        this.thread = new Thread(this, THREAD_NAME);
        thread.setDaemon(true);
    }

    /** Listens on {@code host:port} (0 picks a free port) and starts the relay's thread. */
    static StubRelay start(String host, int port) throws IOException {
        ServerSocketChannel server = ServerSocketChannel.open();
        server.bind(new InetSocketAddress(host, port), 1024);
        server.configureBlocking(false);
        Selector selector = Selector.open();
        server.register(selector, SelectionKey.OP_ACCEPT);
        StubRelay relay = new StubRelay(server, selector);
        relay.thread.start();
        return relay;
    }

    URI uri() throws IOException {
        InetSocketAddress address = (InetSocketAddress) server.getLocalAddress();
        return URI.create("ws://" + address.getHostString() + ":" + address.getPort() + "/");
    }

    @Override
    public void run() {
        try {
            while (running) {
                selector.select();
                for (SelectionKey key : selector.selectedKeys()) {
                    if (!key.isValid()) {
                        continue;
                    }
                    if (key.isAcceptable()) {
                        accept();
                    } else {
                        StubConnection connection = (StubConnection) key.attachment();
                        try {
                            if (key.isReadable()) {
                                connection.onReadable();
                            }
                            if (key.isValid() && key.isWritable()) {
                                connection.flush();
                            }
                        } catch (IOException | RuntimeException e) {
                            connection.close();
                        }
                    }
                }
                selector.selectedKeys().clear();
                flushDirty();
            }
        } catch (IOException | RuntimeException e) {
            LOG.error("stub relay stopped", e);
        } finally {
            closeAll();
        }
    }

    private void accept() throws IOException {
        SocketChannel channel;
        while ((channel = server.accept()) != null) {
            channel.configureBlocking(false);
            channel.setOption(StandardSocketOptions.TCP_NODELAY, true);
            SelectionKey key = channel.register(selector, SelectionKey.OP_READ);
            key.attach(new StubConnection(this, channel, key));
        }
    }

    private void flushDirty() {
        for (int i = 0; i < dirty.size(); i++) { // flushing may not add more: it only writes
            StubConnection connection = dirty.get(i);
            try {
                connection.flush();
            } catch (IOException | RuntimeException e) {
                connection.close();
            }
        }
        dirty.clear();
    }

    void markDirty(StubConnection connection) {
        dirty.add(connection);
    }

    /** One client text message, {@code data[offset, offset+length)}. */
    void onText(StubConnection from, byte[] data, int offset, int length) throws IOException {
        int end = offset + length;
        String type = string(data, offset, end, TYPE);
        if (type == null) {
            from.enqueue(text(error("INVALID_MSG", "Missing message type")));
            return;
        }
        switch (type) {
            case "PING" -> from.enqueue(text("{\"type\":\"PONG\",\"ts\":" + System.currentTimeMillis() + "}"));
            case "IDENTIFY" -> {
                if (from.agentId() == null) {
                    from.identify(String.format("@%08x", nextAgent++));
                }
                from.enqueue(text("{\"type\":\"WELCOME\",\"ts\":" + System.currentTimeMillis() + ",\"agent_id\":\""
                        + from.agentId() + "\",\"server\":\"stub\"}"));
            }
            case "JOIN", "CREATE_CHANNEL" -> join(from, string(data, offset, end, CHANNEL));
            case "LEAVE" -> leave(from, string(data, offset, end, CHANNEL));
            case "MSG" -> message(from, data, offset, end);
            default -> from.enqueue(text(error("INVALID_MSG", "The stub relay does not handle " + type)));
        }
    }

    private void join(StubConnection from, String name) throws IOException {
        if (from.agentId() == null || name == null || !name.startsWith("#")) {
            from.enqueue(text(error(from.agentId() == null ? "AUTH_REQUIRED" : "INVALID_MSG", "Cannot join")));
            return;
        }
        StubChannel channel = channels.computeIfAbsent(name, n -> new StubChannel());
        if (from.channels().add(name)) {
            channel.members.add(from);
        }
        from.enqueue(text("{\"type\":\"JOINED\",\"ts\":" + System.currentTimeMillis() + ",\"channel\":\"" + name
                + "\",\"agents\":[],\"seq\":" + channel.seq + ",\"epoch\":\"" + EPOCH + "\"}"));
    }

    private void leave(StubConnection from, String name) throws IOException {
        if (name != null && from.channels().remove(name)) {
            channels.get(name).members.remove(from);
            from.enqueue(text("{\"type\":\"LEFT\",\"ts\":" + System.currentTimeMillis() + ",\"channel\":\"" + name + "\"}"));
        }
    }

    /** Encodes the relayed MSG once and queues the same bytes (as duplicates) to every member. */
    private void message(StubConnection from, byte[] data, int offset, int end) throws IOException {
        String to = string(data, offset, end, TO);
        int contentStart = find(data, offset, end, CONTENT);
        int contentEnd = contentStart < 0 ? -1 : endOfString(data, contentStart, end);
        StubChannel channel = to == null ? null : channels.get(to);
        if (from.agentId() == null || channel == null || !from.channels().contains(to) || contentEnd < 0) {
            from.enqueue(text(error("INVALID_MSG", "The stub relay only relays MSG to a channel you joined")));
            return;
        }
        channel.seq++;
        byte[] head = ("{\"type\":\"MSG\",\"ts\":" + System.currentTimeMillis() + ",\"from\":\"" + from.agentId()
                + "\",\"to\":\"" + to + "\",\"content\":\"").getBytes(StandardCharsets.UTF_8);
        byte[] tail = ("\",\"seq\":" + channel.seq + ",\"epoch\":\"" + EPOCH + "\"}").getBytes(StandardCharsets.US_ASCII);
        int contentLength = contentEnd - contentStart;
        ByteBuffer frame = WebSocketFrames.serverFrameStart(WebSocketFrames.TEXT, head.length + contentLength + tail.length)
                .put(head).put(data, contentStart, contentLength).put(tail).flip();
        List<StubConnection> members = channel.members;
        for (int i = 0; i < members.size(); i++) { // a member dropped as a slow consumer leaves the list
            StubConnection member = members.get(i);
            member.enqueue(frame.duplicate());
            if (member.isClosed()) {
                i--;
            }
        }
    }

    /** A connection is gone: it leaves its channels (no AGENT_LEFT: not part of what is measured). */
    void onClosed(StubConnection connection) {
        for (String name : connection.channels()) {
            channels.get(name).members.remove(connection);
        }
        connection.channels().clear();
    }

    private static ByteBuffer text(String json) {
        byte[] bytes = json.getBytes(StandardCharsets.UTF_8);
        return WebSocketFrames.serverFrame(WebSocketFrames.TEXT, bytes, 0, bytes.length);
    }

    private static String error(String code, String message) {
        return "{\"type\":\"ERROR\",\"ts\":" + System.currentTimeMillis() + ",\"code\":\"" + code
                + "\",\"message\":\"" + message + "\"}";
    }

    private static byte[] key(String name) {
        return ("\"" + name + "\":\"").getBytes(StandardCharsets.US_ASCII);
    }

    /** The string value after {@code key}, as written (escapes not undone), or null. */
    private static String string(byte[] data, int from, int to, byte[] key) {
        int start = find(data, from, to, key);
        int end = start < 0 ? -1 : endOfString(data, start, to);
        return end < 0 ? null : new String(data, start, end - start, StandardCharsets.UTF_8);
    }

    /** Index just past {@code key} in {@code data[from, to)}, or -1. */
    private static int find(byte[] data, int from, int to, byte[] key) {
        outer:
        for (int i = from; i <= to - key.length; i++) {
            for (int j = 0; j < key.length; j++) {
                if (data[i + j] != key[j]) {
                    continue outer;
                }
            }
            return i + key.length;
        }
        return -1;
    }

    /** Index of the quote closing a JSON string that starts at {@code start}, skipping escapes; -1 if none. */
    private static int endOfString(byte[] data, int start, int to) {
        for (int i = start; i < to; i++) {
            if (data[i] == '\\') {
                i++;
            } else if (data[i] == '"') {
                return i;
            }
        }
        return -1;
    }

    private void closeAll() {
        for (SelectionKey key : selector.keys()) {
            if (key.attachment() instanceof StubConnection connection) {
                connection.close();
            }
        }
        try {
            selector.close();
            server.close();
        } catch (IOException e) {
            LOG.warn("closing the stub relay's listener", e);
        }
    }

    @Override
    public void close() throws InterruptedException {
        running = false;
        selector.wakeup();
        thread.join(TimeUnit.SECONDS.toMillis(10));
    }
}
