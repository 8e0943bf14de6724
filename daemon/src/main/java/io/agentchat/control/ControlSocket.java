package io.agentchat.control;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.agentchat.daemon.DaemonThreads;
import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.StandardProtocolFamily;
import java.nio.ByteBuffer;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.Channels;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.nio.file.attribute.PosixFilePermissions;
import java.nio.file.attribute.UserPrincipal;
import jdk.net.ExtendedSocketOptions;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The persona holder's local control socket ({@code control.sock} in the persona directory, mode
 * 0600): whoever holds the persona's lock owns it, so a second process (such as {@code agentchat mcp}
 * started while a daemon runs) makes its requests through this holder instead of proving the same key
 * on a second connection, which would take the id from the first (docs/mcp.md).
 *
 * <p>Who may send: only this user. The file mode says so, but it is set only after bind (a window as
 * wide as the umask) and does not undo a connection made meanwhile, so each accepted connection is
 * also asked who made it (the kernel's peer credentials) and closed unserved if another user did. Under which id: the persona's, as its outbox file would. A request is answered on the socket
 * it came on and affects nobody else. At most {@link #MAX_CLIENTS} clients are served at once; one more
 * gets a refusal and is closed, so the holder's threads stay bounded. A client that takes longer than
 * the idle limit to send its next request or to take its answer is closed, so stalled clients cannot
 * hold those slots for ever (an operation itself may take its time).
 */
public final class ControlSocket implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(ControlSocket.class);
    static final int MAX_CLIENTS = 8;
    /** Far above what {@link ControlClient} needs: it sends its request at once and reads its answer at once. */
    static final Duration IDLE_LIMIT = Duration.ofSeconds(10);

    private final Path path;
    private final ServerSocketChannel server;
    /** The user this process runs as: the owner of the socket file it just bound. */
    private final UserPrincipal owner;
    private final PersonaRequests requests;
    private final ExecutorService acceptor;
    private final ExecutorService workers;
    private final Semaphore slots = new Semaphore(MAX_CLIENTS);
    private final Set<SocketChannel> clients = ConcurrentHashMap.newKeySet();
    /** Each client's System.nanoTime() by which it must have sent a request or taken its answer; absent while answering. */
    private final Map<SocketChannel, Long> due = new ConcurrentHashMap<>();
    private final long idleLimitNanos;
    private final ScheduledExecutorService watchdog;
    private volatile boolean closed;

    private ControlSocket(Path path, ServerSocketChannel server, UserPrincipal owner, PersonaRequests requests,
                          String persona, Duration idleLimit) {
        this.path = path;
        this.server = server;
        this.owner = owner;
        this.requests = requests;
        this.acceptor = Executors.newSingleThreadExecutor(new DaemonThreads("control-accept-" + persona));
        this.workers = Executors.newCachedThreadPool(new DaemonThreads("control-" + persona));
        this.idleLimitNanos = idleLimit.toNanos();
        this.watchdog = Executors.newSingleThreadScheduledExecutor(new DaemonThreads("control-watch-" + persona));
        long period = Math.max(10, idleLimit.toMillis() / 4);
        watchdog.scheduleWithFixedDelay(this::closeStalled, period, period, TimeUnit.MILLISECONDS);
    }

    /**
     * Binds {@code path} (replacing a socket file left by a holder that died: the caller holds the
     * persona lock, so no live holder owns it) and starts accepting.
     */
    public static ControlSocket open(Path path, PersonaRequests requests, String persona) throws IOException {
        return open(path, requests, persona, IDLE_LIMIT);
    }

    static ControlSocket open(Path path, PersonaRequests requests, String persona, Duration idleLimit)
            throws IOException {
        Files.deleteIfExists(path);
        ServerSocketChannel server = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
        UserPrincipal owner;
        try {
            server.bind(UnixDomainSocketAddress.of(path));
            Files.setPosixFilePermissions(path, PosixFilePermissions.fromString("rw-------"));
            owner = Files.getOwner(path);
        } catch (IOException | RuntimeException e) {
            server.close();
            throw e;
        }
        ControlSocket socket = new ControlSocket(path, server, owner, requests, persona, idleLimit);
        socket.acceptor.execute(socket::acceptLoop);
        return socket;
    }

    /**
     * {@link #open}, or null with a warning: a persona whose socket cannot be bound (a path longer
     * than the system's limit of about 100 bytes) still runs; only {@code agentchat mcp} cannot share it.
     */
    public static ControlSocket openOrWarn(Path path, PersonaRequests requests, String persona) {
        try {
            return open(path, requests, persona);
        } catch (IOException | RuntimeException e) {
            LOG.warn("No control socket at {} ({}); agentchat mcp cannot share this persona", path, e.toString());
            return null;
        }
    }

    public Path path() {
        return path;
    }

    private void acceptLoop() {
        while (!closed) {
            SocketChannel client;
            try {
                client = server.accept();
            } catch (ClosedChannelException e) {
                return;
            } catch (IOException e) {
                if (!closed) {
                    LOG.warn("Control socket accept failed: {}", e.toString());
                }
                return;
            }
            if (!fromOwner(client)) {
                continue;
            }
            if (!slots.tryAcquire()) {
                refuseBusy(client);
                continue;
            }
            clients.add(client);
            workers.execute(() -> {
                try {
                    serve(client);
                } finally {
                    clients.remove(client);
                    slots.release();
                }
            });
        }
    }

    /** True if this process's user made the connection; otherwise it is closed without a word. */
    private boolean fromOwner(SocketChannel client) {
        UserPrincipal peer = null;
        try {
            peer = client.getOption(ExtendedSocketOptions.SO_PEERCRED).user();
        } catch (IOException | RuntimeException e) {
            LOG.warn("Control socket: cannot tell who connected ({}); closing the connection", e.toString());
        }
        if (owner.equals(peer)) {
            return true;
        }
        if (peer != null) {
            LOG.warn("Control socket: closed a connection from user {}, not {}", peer.getName(), owner.getName());
        }
        try {
            client.close();
        } catch (IOException e) {
            LOG.debug("Closing a foreign control client: {}", e.toString());
        }
        return false;
    }

    private static void refuseBusy(SocketChannel client) {
        try (client) {
            client.write(ByteBuffer.wrap(ControlLines.encode(
                    ControlLines.refusal("too many control clients (at most " + MAX_CLIENTS + "); try again"))));
        } catch (IOException e) {
            LOG.debug("Refusing a control client failed: {}", e.toString());
        }
    }

    /** One client: request, answer, until it closes. A malformed line gets a refusal, not a hang-up. */
    private void serve(SocketChannel client) {
        try (client; InputStream in = new BufferedInputStream(Channels.newInputStream(client));
             OutputStream out = Channels.newOutputStream(client)) {
            String line;
            expectWithinLimit(client);
            while (!closed && (line = ControlLines.readLine(in)) != null) {
                due.remove(client);
                byte[] answer = ControlLines.encode(answer(line));
                expectWithinLimit(client);
                out.write(answer);
                out.flush();
                expectWithinLimit(client);
            }
        } catch (IOException e) {
            if (!closed) {
                LOG.debug("Control client ended: {}", e.toString());
            }
        } finally {
            due.remove(client);
        }
    }

    private void expectWithinLimit(SocketChannel client) {
        due.put(client, System.nanoTime() + idleLimitNanos);
    }

    /** Closes the clients past their time; closing the channel ends the read or write they block in. */
    private void closeStalled() {
        long now = System.nanoTime();
        due.forEach((client, deadline) -> {
            if (now - deadline > 0 && due.remove(client, deadline)) {
                LOG.debug("Closing a control client that stalled for {} ms", idleLimitNanos / 1_000_000);
                try {
                    client.close();
                } catch (IOException e) {
                    LOG.debug("Closing a stalled control client: {}", e.toString());
                }
            }
        });
    }

    private ObjectNode answer(String line) {
        ObjectNode request = ControlLines.decode(line);
        JsonNode op = request == null ? null : request.get("op");
        JsonNode args = request == null ? null : request.get("args");
        if (op == null || !op.isTextual() || (args != null && !args.isObject())) {
            return ControlLines.refusal("a request is {\"op\": \"...\", \"args\": {...}} on one line");
        }
        try {
            return ControlLines.answer(requests.call(op.asText(), args == null ? null : (ObjectNode) args));
        } catch (RequestRefused e) {
            return ControlLines.refusal(e.getMessage());
        } catch (RuntimeException e) {
            LOG.warn("Control request {} failed", op.asText(), e);
            return ControlLines.refusal("failed: " + e);
        }
    }

    /** Stops accepting, ends every client, removes the socket file. Idempotent. */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        try {
            server.close();
        } catch (IOException e) {
            LOG.debug("Closing the control socket: {}", e.toString());
        }
        for (SocketChannel client : clients) {
            try {
                client.close();
            } catch (IOException e) {
                LOG.debug("Closing a control client: {}", e.toString());
            }
        }
        acceptor.shutdownNow();
        watchdog.shutdownNow();
        workers.shutdownNow();
        try {
            if (!workers.awaitTermination(5, TimeUnit.SECONDS)) {
                LOG.warn("Control clients did not end within 5 s");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        try {
            Files.deleteIfExists(path);
        } catch (IOException e) {
            LOG.warn("Cannot remove {}: {}", path, e.toString());
        }
    }
}
