package io.agentchat.server.core;

/**
 * The way out to one connected socket. Implementations never block: a send is queued, and a
 * peer that cannot keep up is disconnected by the implementation (slow-consumer policy).
 */
public interface Outbound {
    /** Queues one text frame. The same string may be handed to many sessions (encode once). */
    void send(String text);

    /**
     * Queues frames that go out together, in order, in one write where they fit: the answer to a
     * JOIN. A client that acts on the first of them (JOINED) and closes at once then finds the rest
     * already in its buffer, instead of the server still writing to a socket it is resetting.
     */
    default void sendAll(java.util.List<String> texts) {
        texts.forEach(this::send);
    }

    /** Drops the connection without a closing handshake (the peer is gone or not reading). */
    void abort();

    /** Closes the socket with a WebSocket close code and reason; idempotent. */
    void close(int code, String reason);

    /** Sends a WebSocket ping; a peer that stops answering is dropped by the hub's heartbeat. */
    void ping();

    /** Bytes queued to this socket and not yet written (for /metrics). */
    default long queuedBytes() {
        return 0;
    }

    /** The peer's IP address, for per-address limits and logs. */
    String remoteAddress();
}
