package io.agentchat.server;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.agentchat.protocol.FrameCodec;
import io.agentchat.server.cluster.Cluster;
import io.agentchat.server.cluster.RedisCluster;
import io.agentchat.server.core.Hub;
import io.agentchat.server.market.MarketConfig;
import io.agentchat.server.market.MarketService;
import io.agentchat.server.market.RatingsStore;
import io.agentchat.server.transport.HealthHandler;
import io.agentchat.server.transport.MetricsHandler;
import io.agentchat.server.transport.Transport;
import java.net.URI;
import java.time.Duration;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The relay: a Jetty server whose every path upgrades to the AgentChat WebSocket protocol, with
 * {@code GET /health} beside it, optionally over TLS. Start it, read {@link #port()}, close it.
 * {@link #close()} tells every client (1001) before stopping, and is idempotent.
 */
public final class AgentChatServer implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger("agentchat.server");

    private final ServerConfig config;
    private final Hub hub;
    private final Server server;
    private final ServerConnector connector;
    private final RatingsStore ratings;
    private final Cluster cluster;
    private boolean closed;

    public AgentChatServer(ServerConfig config) {
        this.config = config;
        FrameCodec codec = new FrameCodec(config.maxFrameBytes());
        // Read before anything starts: a corrupt ratings file stops the server with one line, never half-started.
        MarketConfig market = config.market();
        this.ratings = config.dataDir() == null ? RatingsStore.inMemory(market.maxRatedAgents())
                : RatingsStore.open(config.dataDir(), market.maxRatedAgents());
        // Only in cluster mode: the Redis client's classes are never loaded otherwise.
        Cluster joined = null;
        try {
            joined = config.cluster() == null ? null : RedisCluster.connect(config.cluster(), config.recovery(),
                    config.clusterRelayTtl());
            this.hub = new Hub(config, codec, ratings, joined);
        } catch (RuntimeException e) {
            if (joined != null) {
                joined.close();
            }
            ratings.close();
            throw e;
        }
        this.cluster = joined;
        this.server = new Server(Transport.threadPool());
        this.connector = Transport.connector(server, config);
        server.addConnector(connector);
        HealthHandler health = new HealthHandler(hub, config.name(), version(), config.clock(),
                () -> proposalsJson(hub.proposalStats()));
        server.setHandler(Transport.webSocketHandler(server, config, hub, new MetricsHandler(hub, health)));
        server.setStopTimeout(5_000);
    }

    /** Binds and starts; throws if the port cannot be bound. */
    public AgentChatServer start() throws Exception {
        try {
            server.start();
        } catch (Exception e) {
            hub.close();
            server.stop();
            closeCluster();
            throw e;
        }
        LOG.info("server_start host={} port={} tls={}", config.host(), port(), config.tls());
        return this;
    }

    public int port() {
        return connector.getLocalPort();
    }

    /** The URL clients use, e.g. {@code ws://127.0.0.1:6667}. */
    public URI uri() {
        String host = config.host().equals("0.0.0.0") ? "127.0.0.1" : config.host();
        return URI.create((config.tls() ? "wss" : "ws") + "://" + host + ":" + port());
    }

    public ServerConfig config() {
        return config;
    }

    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        hub.close();
        try {
            hub.awaitSocketsClosed(Duration.ofSeconds(3));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        try {
            server.stop();
        } catch (Exception e) {
            LOG.warn("server stop failed: {}", e.toString());
        }
        closeCluster(); // after the sockets: the last messages posted still reach the readers here
        ratings.close(); // waits for the last ratings write
        LOG.info("server_stop");
    }

    private void closeCluster() {
        if (cluster != null) {
            cluster.close();
        }
    }

    private static JsonNode proposalsJson(MarketService.ProposalStats stats) {
        ObjectNode node = JsonNodeFactory.instance.objectNode();
        node.put("total", stats.total());
        ObjectNode byStatus = node.putObject("byStatus");
        stats.byStatus().forEach(byStatus::put);
        node.put("agents", stats.agents());
        return node;
    }

    /** The project version from the jar manifest, or the development placeholder. */
    public static String version() {
        String version = AgentChatServer.class.getPackage().getImplementationVersion();
        return version != null ? version : "0.1.0-SNAPSHOT";
    }
}
