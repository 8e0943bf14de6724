package io.agentchat.server.transport;

import io.agentchat.server.core.AgentSession;
import io.agentchat.server.core.Hub;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.Executor;
import org.eclipse.jetty.websocket.api.Callback;
import org.eclipse.jetty.websocket.api.Session;
import org.eclipse.jetty.websocket.api.StatusCode;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One WebSocket connection. Public because Jetty finds the callbacks through method handles.
 * Binary frames are read as UTF-8 text, as the reference does.
 */
public final class ServerEndpoint extends Session.Listener.AbstractAutoDemanding {
    private static final Logger LOG = LoggerFactory.getLogger("agentchat.server");

    private final Hub hub;
    private final Executor writers;
    private final int maxQueued;
    private volatile AgentSession agent;

    public ServerEndpoint(Hub hub, Executor writers, int maxQueued) {
        this.hub = hub;
        this.writers = writers;
        this.maxQueued = maxQueued;
    }

    @Override
    public void onWebSocketOpen(Session session) {
        super.onWebSocketOpen(session);
        agent = hub.open(new JettyOutbound(session, writers, maxQueued, this::dead));
        if (agent == null) {
            session.close(StatusCode.TRY_AGAIN_LATER, "Too many connections from your address", Callback.NOOP);
        }
    }

    @Override
    public void onWebSocketText(String text) {
        if (agent != null) {
            hub.onText(agent, text);
        }
    }

    @Override
    public void onWebSocketBinary(ByteBuffer payload, Callback callback) {
        if (agent != null) {
            hub.onText(agent, StandardCharsets.UTF_8.decode(payload).toString());
        }
        callback.succeed();
    }

    @Override
    public void onWebSocketPong(ByteBuffer payload) {
        if (agent != null) {
            hub.heard(agent);
        }
    }

    @Override
    public void onWebSocketClose(int statusCode, String reason) {
        if (agent != null) {
            hub.onClose(agent);
        }
    }

    private void dead() {
        AgentSession dead = agent;
        if (dead != null) {
            hub.onClose(dead);
        }
    }

    @Override
    public void onWebSocketError(Throwable cause) {
        LOG.debug("websocket error: {}", cause.toString());
        if (agent != null) {
            hub.onClose(agent);
        }
    }
}
