package io.agentchat.client;

import io.agentchat.protocol.ServerFrame;

/**
 * Receives everything a {@link Connection} gets from the server, in arrival order, on the
 * connection's own dispatcher thread (never on a network thread). Every method has an empty
 * default, so implementations override only what they need. Replies that a request method
 * waits for (JOINED, PONG, the echo of a sent MSG, ...) are delivered here too.
 */
public interface FrameListener {

    /**
     * One decoded frame and the exact text it came in.
     *
     * @param frame   the decoded frame ({@link ServerFrame.Unknown} for a type this build does not know)
     * @param rawText the frame's JSON exactly as the server sent it
     */
    default void onFrame(ServerFrame frame, String rawText) {
    }

    /** The connection closed; called once, after the last {@link #onFrame}. */
    default void onClosed(int code, String reason) {
    }

    /** A frame could not be decoded, or the transport failed; the connection may close next. */
    default void onError(Throwable error) {
    }

    /** A listener that ignores everything. */
    FrameListener NONE = new FrameListener() {
    };
}
