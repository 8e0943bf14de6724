package io.agentchat.server.transport;

import io.agentchat.server.ServerConfig;
import io.agentchat.server.core.Hub;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.Executor;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.HttpConfiguration;
import org.eclipse.jetty.server.HttpConnectionFactory;
import org.eclipse.jetty.server.ProxyConnectionFactory;
import org.eclipse.jetty.server.SecureRequestCustomizer;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.server.SslConnectionFactory;
import org.eclipse.jetty.util.ssl.SslContextFactory;
import org.eclipse.jetty.util.thread.QueuedThreadPool;
import org.eclipse.jetty.websocket.core.Configuration;
import org.eclipse.jetty.websocket.core.server.WebSocketServerComponents;
import org.eclipse.jetty.websocket.core.server.WebSocketUpgradeHandler;

/** Builds the Jetty pieces: thread pool, (TLS) connector, and the WebSocket handler with its limits. */
public final class Transport {
    static final int OUTPUT_BUFFER_BYTES = 64 * 1024;

    private Transport() {
    }

    public static QueuedThreadPool threadPool() {
        QueuedThreadPool pool = new QueuedThreadPool(200, 8);
        pool.setName("agentchat-http");
        return pool;
    }

    public static ServerConnector connector(Server server, ServerConfig config) {
        HttpConfiguration http = new HttpConfiguration();
        http.setSendServerVersion(false);
        ServerConnector connector;
        if (config.tls()) {
            SslContextFactory.Server ssl = new SslContextFactory.Server();
            ssl.setKeyStore(PemKeyStore.load(config.tlsCert(), config.tlsKey()));
            ssl.setKeyStorePassword("");
            http.addCustomizer(new SecureRequestCustomizer(false));
            connector = new ServerConnector(server, new SslConnectionFactory(ssl, "http/1.1"),
                    new HttpConnectionFactory(http));
        } else {
            connector = new ServerConnector(server, new HttpConnectionFactory(http));
        }
        if (config.proxyProtocol()) {
            // A detector: a connection that starts with a PROXY header (v1 or v2) takes the address it
            // names, any other is served as it is. So only a relay the proxy alone can reach may turn
            // it on, or any client could name its own address.
            connector.addFirstConnectionFactory(new ProxyConnectionFactory());
        }
        connector.setHost(config.host());
        connector.setPort(config.port());
        connector.setAcceptQueueSize(1024);
        return connector;
    }

    /**
     * Any path upgrades (as in the reference); plain HTTP requests fall through to {@code fallback}.
     * Built on Jetty's websocket-core API, not the Jetty API: see {@link ServerEndpoint} for why.
     */
    public static Handler webSocketHandler(Server server, ServerConfig config, Hub hub, Handler fallback) {
        WebSocketUpgradeHandler handler = new WebSocketUpgradeHandler(
                WebSocketServerComponents.ensureWebSocketComponents(server), upgrade -> {
            Configuration limits = upgrade.getConfiguration();
            limits.setMaxTextMessageSize(config.maxFrameBytes());
            limits.setMaxBinaryMessageSize(config.maxFrameBytes());
            // Batched frames are gathered in a buffer of this size and written together when it fills
            // or the last one comes; 4 KiB (Jetty's default) splits a JOIN's answer (JOINED, 20 replayed
            // messages with their seq and epoch, the welcome) into two writes, where Outbound#sendAll
            // promises one, and a burst of fan-out into many.
            limits.setOutputBufferSize(OUTPUT_BUFFER_BYTES);
            // The hub's heartbeat drops silent peers; this is only the backstop for a dead socket.
            long ping = config.pingInterval().toMillis();
            limits.setIdleTimeout(ping > 0 ? Duration.ofMillis(ping * 4) : Duration.ofMinutes(10));
            Executor writers = server.getThreadPool();
            // No frame count on Jetty's queue: JettyOutbound bounds the bytes of its queue and
            // Jetty's together, which is what a peer that does not read makes the server hold.
            SharedUtf8 utf8 = new SharedUtf8();
            upgrade.addMapping("/*", (request, response, callback) -> {
                // No extension is negotiated, permessage-deflate included (Jetty accepts it by default;
                // the reference's server does not). A client that compresses compresses its sends off
                // its own thread: Node's ws queues send() and close() behind zlib, so a CLI that sends
                // and exits at once (the original's `invite`, `send`) exits before its frame is written.
                // Without it, per-connection inflater/deflater state goes too.
                response.setExtensions(List.of());
                // The Host the client dialled: its answer to the identify challenge must name it.
                return new ServerEndpoint(hub, writers, config.maxOutgoingBytes(), utf8,
                        request.getHeaders().get(HttpHeader.HOST));
            });
        });
        handler.setHandler(fallback);
        return handler;
    }
}
