package io.agentchat.mcp;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.agentchat.control.ControlClient;
import io.agentchat.control.PersonaRequests;
import io.agentchat.control.RequestRefused;
import io.agentchat.daemon.Daemon;
import io.agentchat.daemon.DaemonAlreadyRunningException;
import io.agentchat.daemon.DaemonConfig;
import io.agentchat.daemon.DaemonProcess;
import io.agentchat.daemon.PersonaPaths;
import java.io.IOException;
import java.util.concurrent.CompletableFuture;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The persona {@code agentchat mcp} speaks for, held one of two ways and never both: with no daemon
 * running for it, this process runs the daemon itself (the lock, the connection, the inbox and outbox
 * files exactly as {@code agentchat daemon} keeps them, and the control socket); with a daemon
 * holding it, requests go through that daemon's control socket, so the key is never proven on a
 * second connection (which would take the id from the first, see {@code ServerLink}).
 *
 * <p>If that daemon stops while the MCP server runs, the next request finds its socket gone; the
 * persona is then taken over here (lock first, as any start), so the tools keep working.
 */
public final class McpPersona implements AutoCloseable, PersonaRequests {

    private static final Logger LOG = LoggerFactory.getLogger(McpPersona.class);

    private final DaemonConfig config;
    private final ControlClient throughDaemon;
    private final CompletableFuture<Daemon.Exit> ended = new CompletableFuture<>();
    private volatile Daemon daemon;
    private volatile String selfId;
    private boolean closed;

    private McpPersona(DaemonConfig config) {
        this.config = config;
        this.throughDaemon = new ControlClient(config.paths().controlSocket(), config.paths().name());
    }

    /** Runs the persona in this process, or works through the daemon that already holds it. */
    public static McpPersona open(DaemonConfig config) throws IOException {
        McpPersona persona = new McpPersona(config);
        if (!persona.takeOver()) {
            LOG.info("A daemon holds persona '{}'; working through {}", config.paths().name(),
                    config.paths().controlSocket());
        }
        return persona;
    }

    /** Works through the daemon holding the persona; takes it over only if that daemon stops. */
    public static McpPersona throughDaemon(DaemonConfig config) {
        LOG.info("A daemon holds persona '{}'; working through {}", config.paths().name(),
                config.paths().controlSocket());
        return new McpPersona(config);
    }

    public PersonaPaths paths() {
        return config.paths();
    }

    /** Completes when the persona held here must end (gave up, refused, stop file); never while a daemon holds it. */
    public CompletableFuture<Daemon.Exit> ended() {
        return ended;
    }

    @Override
    public ObjectNode call(String operation, ObjectNode arguments) {
        Daemon held = daemon;
        if (held != null) {
            return held.requests().call(operation, arguments);
        }
        try {
            return throughDaemon.call(operation, arguments);
        } catch (ControlClient.Unreachable e) {
            try {
                if (!takeOver()) {
                    throw e;
                }
            } catch (IOException io) {
                throw new RequestRefused(e.getMessage() + "; taking the persona over failed: " + io.getMessage());
            }
            return daemon.requests().call(operation, arguments);
        }
    }

    /** Starts the persona here unless someone holds it; true if this process holds it now. */
    private synchronized boolean takeOver() throws IOException {
        if (daemon != null) {
            return true;
        }
        if (closed || new DaemonProcess(config.paths()).status().state() != DaemonProcess.State.STOPPED) {
            return false;
        }
        try {
            Daemon started = Daemon.start(config);
            started.exit().thenAccept(ended::complete);
            selfId = "@" + started.identity().agentId();
            daemon = started;
            LOG.info("agentchat mcp holds persona '{}' itself", config.paths().name());
            return true;
        } catch (DaemonAlreadyRunningException e) {
            return false;
        }
    }

    /** The persona's {@code @id}, asked of the holder once it answers; null until then. */
    String selfId() {
        String known = selfId;
        if (known == null) {
            try {
                known = call("whoami", JsonNodeFactory.instance.objectNode()).path("id").asText(null);
                selfId = known;
            } catch (RequestRefused e) {
                LOG.debug("whoami not answered yet: {}", e.getMessage());
            }
        }
        return known;
    }

    @Override
    public synchronized void close() {
        closed = true;
        if (daemon != null) {
            daemon.close();
        }
    }
}
