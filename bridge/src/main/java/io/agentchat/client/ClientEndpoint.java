package io.agentchat.client;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import org.eclipse.jetty.websocket.api.Callback;
import org.eclipse.jetty.websocket.api.Session;

/**
 * The Jetty side of one {@link Connection}: forwards socket events to it. Public only because
 * Jetty finds the callbacks through method handles and cannot connect a non-public endpoint; not
 * part of the API.
 */
public final class ClientEndpoint extends Session.Listener.AbstractAutoDemanding {
    private final Connection connection;

    ClientEndpoint(Connection connection) {
        this.connection = connection;
    }

    @Override
    public void onWebSocketOpen(Session session) {
        super.onWebSocketOpen(session);
        connection.opened(session);
    }

    @Override
    public void onWebSocketText(String text) {
        connection.received(text);
    }

    /** The reference server accepts binary frames as UTF-8 text; do the same for robustness. */
    @Override
    public void onWebSocketBinary(ByteBuffer payload, Callback callback) {
        connection.received(StandardCharsets.UTF_8.decode(payload).toString());
        callback.succeed();
    }

    @Override
    public void onWebSocketPong(ByteBuffer payload) {
        connection.heard();
    }

    @Override
    public void onWebSocketClose(int statusCode, String reason) {
        connection.closedBySocket(statusCode, reason);
    }

    @Override
    public void onWebSocketError(Throwable cause) {
        connection.failed(cause);
    }
}
