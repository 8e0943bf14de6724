package io.agentchat.client;

import java.net.URI;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.BiConsumer;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.websocket.api.Callback;
import org.eclipse.jetty.websocket.api.Session;
import org.eclipse.jetty.websocket.server.WebSocketUpgradeHandler;

/**
 * A WebSocket server that misbehaves on purpose: each text frame it gets is recorded and handed to
 * a script, which decides what (if anything) to answer. For the cases a correct server never
 * produces: no WELCOME (the connect must time out), a hostile challenge (it must not be signed).
 */
public final class ScriptedServer implements AutoCloseable {
    private final Server server = new Server();
    private final ServerConnector connector = new ServerConnector(server);
    /** Every text frame received, in order. */
    public final List<String> received = new CopyOnWriteArrayList<>();

    public ScriptedServer(BiConsumer<Session, String> script) throws Exception {
        connector.setHost("127.0.0.1");
        connector.setPort(0);
        server.addConnector(connector);
        server.setHandler(WebSocketUpgradeHandler.from(server, container ->
                container.addMapping("/", (request, response, callback) -> new Endpoint(script, received))));
        server.start();
    }

    public URI uri() {
        return URI.create("ws://127.0.0.1:" + connector.getLocalPort() + "/");
    }

    /** Sends {@code text} on {@code session}, ignoring failures. */
    public static void reply(Session session, String text) {
        session.sendText(text, Callback.NOOP);
    }

    @Override
    public void close() throws Exception {
        server.stop();
    }

    /** Public for Jetty's method-handle lookup. */
    public static final class Endpoint extends Session.Listener.AbstractAutoDemanding {
        private final BiConsumer<Session, String> script;
        private final List<String> received;

        Endpoint(BiConsumer<Session, String> script, List<String> received) {
            this.script = script;
            this.received = received;
        }

        @Override
        public void onWebSocketText(String text) {
            received.add(text);
            script.accept(getSession(), text);
        }

        @Override
        public void onWebSocketError(Throwable cause) {
            // The client going away is expected in these tests.
        }
    }
}
