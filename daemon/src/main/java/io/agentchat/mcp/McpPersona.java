package io.agentchat.mcp;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import io.agentchat.control.ControlClient;
import io.agentchat.control.PersonaRequests;
import io.agentchat.control.RequestRefused;
import io.agentchat.daemon.Daemon;
import io.agentchat.daemon.DaemonAlreadyRunningException;
import io.agentchat.daemon.DaemonConfig;
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
 */
public final class McpPersona implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(McpPersona.class);

    private final PersonaPaths paths;
    private final Daemon daemon;
    private final PersonaRequests requests;
    private volatile String selfId;

    private McpPersona(PersonaPaths paths, Daemon daemon, PersonaRequests requests, String selfId) {
        this.paths = paths;
        this.daemon = daemon;
        this.requests = requests;
        this.selfId = selfId;
    }

    /** Runs the persona in this process, or works through the daemon that already holds it. */
    public static McpPersona open(DaemonConfig config) throws IOException {
        try {
            Daemon daemon = Daemon.start(config);
            LOG.info("agentchat mcp holds persona '{}' itself", config.paths().name());
            return new McpPersona(config.paths(), daemon, daemon.requests(), "@" + daemon.identity().agentId());
        } catch (DaemonAlreadyRunningException e) {
            return throughDaemon(config.paths());
        }
    }

    /** Works through the control socket of the daemon holding {@code paths}. */
    public static McpPersona throughDaemon(PersonaPaths paths) {
        LOG.info("A daemon holds persona '{}'; working through {}", paths.name(), paths.controlSocket());
        return new McpPersona(paths, null, new ControlClient(paths.controlSocket(), paths.name()), null);
    }

    public PersonaPaths paths() {
        return paths;
    }

    public PersonaRequests requests() {
        return requests;
    }

    /** Whether this process holds the connection (false: a daemon does). */
    public boolean holdsConnection() {
        return daemon != null;
    }

    /** Completes when the persona held here must end (its daemon gave up or was refused); never otherwise. */
    public CompletableFuture<?> ended() {
        return daemon != null ? daemon.exit() : new CompletableFuture<>();
    }

    /** The persona's {@code @id}, asked of the holding daemon once it answers; null until then. */
    String selfId() {
        String known = selfId;
        if (known == null) {
            try {
                known = requests.call("whoami", JsonNodeFactory.instance.objectNode()).path("id").asText(null);
                selfId = known;
            } catch (RequestRefused e) {
                LOG.debug("whoami not answered yet: {}", e.getMessage());
            }
        }
        return known;
    }

    @Override
    public void close() {
        if (daemon != null) {
            daemon.close();
        }
    }
}
