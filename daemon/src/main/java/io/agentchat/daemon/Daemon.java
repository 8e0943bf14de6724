package io.agentchat.daemon;

import io.agentchat.control.ControlSocket;
import io.agentchat.control.PersonaOperations;
import io.agentchat.control.PersonaRequests;
import io.agentchat.identity.Identity;
import io.agentchat.ledger.Ledger;
import io.agentchat.protocol.ServerFrame;
import java.io.IOException;
import java.nio.file.Files;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One persona from start to shutdown: the lock, the pid file, the inbox writer, the outbox consumer
 * and its watcher, and the server link (docs/daemon-files.md).
 *
 * <p>{@link #start} validates the identity and takes the lock <em>before</em> any network I/O and
 * returns at once; connecting happens on the link's thread. {@link #exit()} completes when the
 * daemon should end: a stop request (SIGTERM via the CLI, or the {@code daemon.stop} file) gives
 * {@link Exit#STOPPED}; an outage longer than allowed {@link Exit#GAVE_UP}; a refused identity
 * {@link Exit#FATAL}. The caller then calls {@link #close()}, which stops the parts in reverse order:
 * the outbox consumer finishes its in-flight line and writes its final checkpoint while the
 * connection is still open, the inbox is flushed, the pid file removed and the lock released.
 */
public final class Daemon implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(Daemon.class);
    private static final Duration LOCK_PATIENCE = Duration.ofSeconds(2);
    private static final long STOP_FILE_POLL_MS = 200;

    /** Why the daemon ended, with the process exit code the CLI uses. */
    public enum Exit {
        STOPPED(0), GAVE_UP(1), FATAL(1);

        private final int code;

        Exit(int code) {
            this.code = code;
        }

        public int code() {
            return code;
        }
    }

    private final DaemonConfig config;
    private final Identity identity;
    private final long pid = ProcessHandle.current().pid();
    private final CompletableFuture<Exit> exit = new CompletableFuture<>();
    private final CompletableFuture<String> connected = new CompletableFuture<>();
    private PersonaLock lock;
    private PidFile pidFile;
    private InboxWriter inbox;
    private ServerLink link;
    private Pacer pacer;
    private OutboxTailer tailer;
    private OutboxWatcher watcher;
    private ScheduledExecutorService control;
    private PersonaRequests requests;
    private ControlSocket controlSocket;
    private boolean closed;

    private Daemon(DaemonConfig config, Identity identity) {
        this.config = config;
        this.identity = identity;
    }

    /**
     * Starts the persona.
     *
     * @throws io.agentchat.identity.IdentityException missing/corrupt identity (one line, no retry)
     * @throws DaemonAlreadyRunningException another process holds the persona
     * @throws IOException the persona's files cannot be created or opened
     */
    public static Daemon start(DaemonConfig config) throws IOException {
        PersonaPaths paths = config.paths();
        Identity identity = PersonaIdentity.loadOrCreate(config.identityFile(), paths.name(),
                config.createIdentity(), config.clock());
        paths.createDirectories();
        Daemon daemon = new Daemon(config, identity);
        try {
            daemon.open();
        } catch (IOException | RuntimeException e) {
            daemon.close();
            throw e;
        }
        return daemon;
    }

    private void open() throws IOException {
        PersonaPaths paths = config.paths();
        Optional<PersonaLock> acquired = PersonaLock.tryAcquire(paths.lockFile(), LOCK_PATIENCE);
        if (acquired.isEmpty()) {
            throw new DaemonAlreadyRunningException(paths.name(), new PidFile(paths.pidFile()).read());
        }
        lock = acquired.get();
        pidFile = new PidFile(paths.pidFile());
        pidFile.write(pid);
        LOG.info("Daemon starting (PID: {}, instance: {})", pid, paths.name());
        if (Files.deleteIfExists(paths.daemonStopFile())) {
            LOG.info("Removed a stop file left from before this start: {}", paths.daemonStopFile());
        }
        inbox = new InboxWriter(paths, config.inbox(), config.clock());
        pacer = config.learnPace() ? Pacer.learning(config.clock()) : new Pacer(config.sendInterval(), config.clock());
        // Receipts and local ratings sit beside the personas, where the reference keeps them.
        Ledger ledger = new Ledger(paths.agentchatDir().resolve("receipts.jsonl"),
                paths.agentchatDir().resolve("ratings.json"), config.clock());
        // The client answers peers' VERIFY_REQUESTs (the original left them unanswered). It keeps the
        // server's reply to each answer apart from the replies the outbox waits for, which are matched
        // by order.
        link = new ServerLink(config.servers(), identity, config.channels(),
                config.clientOptions().withAnswerVerifications(true), config.backoff(), config.maxOutage(),
                config.clock(), new InboxRouter(inbox, identity, ledger), inbox.positions()::get, new LinkEvents(),
                paths.name());
        tailer = new OutboxTailer(paths, new LinkSender(link), pacer, config.clock(), config.outbox()).start();
        watcher = OutboxWatcher.start(paths, tailer::wake);
        requests = new PersonaOperations(link, identity, config.servers().toString());
        controlSocket = ControlSocket.openOrWarn(paths.controlSocket(), requests, paths.name());
        control = Executors.newSingleThreadScheduledExecutor(new DaemonThreads("control-" + paths.name()));
        control.scheduleWithFixedDelay(this::checkStopFile, STOP_FILE_POLL_MS, STOP_FILE_POLL_MS,
                TimeUnit.MILLISECONDS);
        link.start();
    }

    /** Completes when the daemon should end; never fails. */
    public CompletableFuture<Exit> exit() {
        return exit;
    }

    /** Completes with our agent id on the first successful connection (channels joined). */
    public CompletableFuture<String> connected() {
        return connected;
    }

    /** Asks for a clean stop (idempotent); {@link #exit()} completes with {@link Exit#STOPPED}. */
    public void requestStop(String why) {
        if (exit.complete(Exit.STOPPED)) {
            LOG.info("Stopping ({})", why);
        }
    }

    public Identity identity() {
        return identity;
    }

    /** Lines the server has taken from the outbox since start. */
    public long linesSent() {
        return tailer == null ? 0 : tailer.linesAccepted();
    }

    /** Requests on this persona's connection (what {@code agentchat mcp} calls, docs/mcp.md). */
    public PersonaRequests requests() {
        return requests;
    }

    /** The outbox's pacer (for tests). */
    Pacer pacer() {
        return pacer;
    }

    /** The inbox writer (for tests). */
    InboxWriter inbox() {
        return inbox;
    }

    /** The link to the server (for tests). */
    ServerLink link() {
        return link;
    }

    private void checkStopFile() {
        try {
            if (Files.deleteIfExists(config.paths().daemonStopFile())) {
                requestStop("stop file " + config.paths().daemonStopFile());
            }
        } catch (IOException e) {
            LOG.warn("Cannot remove {}: {}", config.paths().daemonStopFile(), e.toString());
            requestStop("stop file");
        }
    }

    /** Stops everything in reverse order of start, with bounded waits. Idempotent. */
    @Override
    public void close() {
        synchronized (this) {
            if (closed) {
                return;
            }
            closed = true;
        }
        exit.complete(Exit.STOPPED);
        if (control != null) {
            control.shutdownNow();
        }
        if (controlSocket != null) {
            controlSocket.close();
        }
        if (watcher != null) {
            watcher.close();
        }
        if (tailer != null) {
            // Before the link: an in-flight line still gets its answer, and the checkpoint is final.
            tailer.close();
        }
        if (link != null) {
            link.close();
        }
        if (inbox != null) {
            inbox.close();
        }
        if (pidFile != null) {
            try {
                pidFile.deleteIfNames(pid);
            } catch (IOException e) {
                LOG.warn("Cannot remove {}: {}", pidFile.path(), e.toString());
            }
        }
        if (lock != null) {
            lock.close();
            LOG.info("Daemon stopped");
        }
    }

    private final class LinkEvents implements ServerLink.Events {
        @Override
        public void onWelcome(ServerFrame.Welcome welcome) {
            pacer.adopt(welcome.rateLimitMs(), welcome.rateBurst());
        }

        @Override
        public void onConnected(ServerLink.LiveConnection session, boolean first) {
            tailer.wake();
            if (first) {
                PersonaPaths paths = config.paths();
                LOG.info("Daemon started");
                LOG.info("Inbox: {}", paths.inbox());
                LOG.info("Outbox: {}", paths.outbox());
                LOG.info("Log: {}", paths.log());
                connected.complete(session.connection().agentId());
            } else {
                LOG.info("Reconnected; {} channel(s) rejoined", session.joined().size());
            }
        }

        @Override
        public void onGaveUp(String reason) {
            exit.complete(Exit.GAVE_UP);
        }

        @Override
        public void onFatal(String reason) {
            exit.complete(Exit.FATAL);
        }
    }
}
