package io.agentchat.client;

/**
 * How a connection ended.
 *
 * @param code   the WebSocket close code (1006 when the socket died without a close frame)
 * @param reason the close reason, possibly empty
 * @param local  true when this side asked for the close ({@link Connection#close()})
 */
public record ConnectionClosed(int code, String reason, boolean local) {
    public ConnectionClosed {
        reason = reason == null ? "" : reason;
    }

    /** One line for humans: {@code code 1001 (Server shutting down)}. */
    public String describe() {
        return "code " + code + (reason.isEmpty() ? "" : " (" + reason + ")");
    }
}
