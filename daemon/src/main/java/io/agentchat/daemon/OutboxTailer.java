package io.agentchat.daemon;

import java.io.IOException;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Sends every complete line appended to {@code outbox.jsonl}, once, in order: a single consumer
 * reading by offset, never truncating under a writer, and paced.
 *
 * <p>One consumer thread reads complete {@code \n}-terminated lines from the persisted offset (a
 * partial last line waits for its newline), validates each ({@link OutboxLineParser}), paces
 * ({@link Pacer}) and hands valid lines one at a time to the {@link LineSender}, waiting for each
 * outcome: ACCEPTED moves the offset past the line; RETRY_LATER (or RATE_LIMITED) keeps it and retries the same line
 * after a delay, so order is kept; REJECTED_PERMANENTLY and invalid lines go to
 * {@code outbox.rejected.jsonl} with their reason. The file is never truncated; see
 * {@link OutboxFiles} for compaction. {@link #wake()} (from {@link OutboxWatcher}) only wakes the
 * thread; a slow poll is the safety net for a missed event.
 *
 * <p><b>Crash guarantee: at-least-once, no loss, at most two lines repeated.</b> The offset is
 * checkpointed durably ({@link FileCheckpointStore}) after each handled line by a separate thread,
 * so the fsync is off the send path. Before sending a line, the consumer waits until the
 * checkpoint covering every line up to the one before the previous line is durable. Hence after a
 * crash at any instant (SIGKILL, power loss), the restarted daemon resends at most the line that
 * was in flight and the one accepted just before it; every earlier line is never sent again and no
 * accepted line is skipped. A clean {@link #close()} writes the final checkpoint, so a restart
 * repeats nothing unless a send was still unanswered after the close timeout (then that one line
 * is sent again). Exactly-once is impossible without a server-side message id: a line the server
 * took just before a crash, but whose acceptance we never saw, must be resent to avoid loss.
 */
public final class OutboxTailer implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(OutboxTailer.class);

    /**
     * @param pollInterval safety-net re-scan when no watcher event arrives
     * @param retryDelay wait before retrying a RETRY_LATER line that gave no retryAfter
     * @param sendTimeout longest wait for one send outcome (then treated as RETRY_LATER)
     * @param drainGrace how long a renamed, fully drained generation must stay unchanged before deletion
     * @param compactBytes rename a fully consumed outbox once it is at least this long
     * @param readBudget bytes read from the live file per pass
     * @param maxLineBytes longer lines are rejected (their first bytes are kept in the rejects file)
     * @param closeTimeout how long close() waits for an in-flight send
     * @param backlogWarnBytes warn once when unsent bytes exceed this (the outbox itself is never trimmed)
     */
    public record Config(Duration pollInterval, Duration retryDelay, Duration sendTimeout, Duration drainGrace,
                         long compactBytes, int readBudget, int maxLineBytes, Duration closeTimeout,
                         long backlogWarnBytes) {
        public static Config defaults() {
            return new Config(Duration.ofSeconds(2), Duration.ofSeconds(1), Duration.ofSeconds(30),
                    Duration.ofSeconds(10), 1 << 20, 64 * 1024, 256 * 1024, Duration.ofSeconds(5), 10L << 20);
        }
    }

    private enum PassResult { PROGRESS, IDLE, RETRY }

    private final PersonaPaths paths;
    private final LineSender sender;
    private final Pacer pacer;
    private final Config config;
    private final OutboxFiles files;
    private final CheckpointWriter checkpoints;
    private final RejectsFile rejects;
    private final Thread thread;
    private final Wakeup wakeup = new Wakeup();
    private final AtomicLong accepted = new AtomicLong();
    private final AtomicLong rejected = new AtomicLong();
    private final AtomicLong passes = new AtomicLong();
    private volatile boolean closing;
    private boolean closed;
    private long seqLast;
    private long seqBeforeLast;
    private Duration retryWait = Duration.ZERO;
    private boolean backlogWarned;

    public OutboxTailer(PersonaPaths paths, LineSender sender, Pacer pacer, Clock clock, Config config)
            throws IOException {
        this(paths, sender, pacer, clock, config, new FileCheckpointStore(paths.outboxOffset()));
    }

    OutboxTailer(PersonaPaths paths, LineSender sender, Pacer pacer, Clock clock, Config config,
                 CheckpointStore store) throws IOException {
        this.paths = Objects.requireNonNull(paths, "paths");
        this.sender = Objects.requireNonNull(sender, "sender");
        this.pacer = Objects.requireNonNull(pacer, "pacer");
        this.config = Objects.requireNonNull(config, "config");
        paths.createDirectories();
        this.files = new OutboxFiles(paths, store.read());
        this.checkpoints = new CheckpointWriter(store, paths.name());
        this.rejects = new RejectsFile(paths.outboxRejected(), clock);
        this.thread = new DaemonThreads("outbox-" + paths.name()).newThread(this::run);
    }

    /** Starts the consumer thread; returns this. */
    public OutboxTailer start() {
        thread.start();
        return this;
    }

    /** Asks the consumer to look at the outbox now. Cheap and safe from any thread. */
    public void wake() {
        wakeup.signal();
    }

    /** Lines the sender accepted since start. */
    public long linesAccepted() {
        return accepted.get();
    }

    /** Lines set aside in the rejects file since start. */
    public long linesRejected() {
        return rejected.get();
    }

    private void run() {
        try {
            while (!closing) {
                PassResult result;
                try {
                    result = pass();
                } catch (IOException | RuntimeException e) {
                    // The consumer thread must outlive any one failure, or the outbox would stop draining.
                    LOG.error("Processing {} failed; retrying", paths.outbox(), e);
                    result = PassResult.RETRY;
                    retryWait = config.retryDelay();
                }
                if (result == PassResult.IDLE) {
                    wakeup.await(config.pollInterval());
                } else if (result == PassResult.RETRY) {
                    wakeup.sleep(retryWait);
                }
            }
        } catch (InterruptedException e) {
            LOG.debug("Outbox consumer interrupted while closing");
        }
    }

    /** How often the outbox was renamed for compaction (read after close, or racy). */
    long compactions() {
        return files.compactions();
    }

    /** Completed scans of the outbox; lets tests prove a partial line was seen and held back. */
    long passes() {
        return passes.get();
    }

    private PassResult pass() throws IOException, InterruptedException {
        passes.incrementAndGet();
        files.refresh();
        List<OutboxGeneration.Line> lines = files.nextLines(config.readBudget(), config.maxLineBytes());
        for (OutboxGeneration.Line line : lines) {
            if (closing) {
                return PassResult.PROGRESS;
            }
            OutboxLineParser.Parsed parsed = line.oversized()
                    ? OutboxLineParser.oversized(line.bytes())
                    : OutboxLineParser.parse(line.bytes());
            if (parsed.blank()) {
                advance(line);
            } else if (parsed.rejection() != null) {
                reject(line, parsed.text(), parsed.rejection());
            } else if (!send(line, parsed.message())) {
                return PassResult.RETRY;
            }
        }
        maintain();
        return lines.isEmpty() ? PassResult.IDLE : PassResult.PROGRESS;
    }

    /** Sends one valid line; false when it must be retried later. */
    private boolean send(OutboxGeneration.Line line, OutboxMessage message) throws IOException, InterruptedException {
        for (Duration d = pacer.delayUntilNextSend(); !d.isZero(); d = pacer.delayUntilNextSend()) {
            wakeup.sleep(d);
            if (closing) {
                return true;
            }
        }
        // Bound the crash window: at most the previous line and this one may lack a durable checkpoint.
        while (!checkpoints.awaitDurable(seqBeforeLast, Duration.ofSeconds(1))) {
            if (closing) {
                return true;
            }
        }
        SendOutcome outcome = outcomeOf(message);
        // Spaced from the answer, not the departure: the server took the line no later than it
        // answered, so the next line reaches it at least one interval later however slow the
        // network was (spacing departures let a delayed line and its successor arrive too close).
        pacer.recordSend();
        switch (outcome.status()) {
            case ACCEPTED -> {
                accepted.incrementAndGet();
                LOG.debug("Sent outbox line to {}", message.to());
                advance(line);
                return true;
            }
            case REJECTED_PERMANENTLY -> {
                reject(line, message.line(), "server: " + outcome.reason());
                return true;
            }
            default -> {
                if (outcome.status() == SendOutcome.Status.RATE_LIMITED) {
                    pacer.onRateLimited();
                } else {
                    pacer.holdOff();
                }
                retryWait = outcome.retryAfter() != null ? outcome.retryAfter() : config.retryDelay();
                LOG.debug("Outbox line to {} will be retried: {}", message.to(), outcome.reason());
                return false;
            }
        }
    }

    private SendOutcome outcomeOf(OutboxMessage message) throws InterruptedException {
        CompletableFuture<SendOutcome> future;
        try {
            future = sender.send(message);
        } catch (RuntimeException e) {
            LOG.warn("Line sender failed: {}", e.toString());
            return SendOutcome.retryLater(e.toString());
        }
        try {
            SendOutcome outcome = future.get(config.sendTimeout().toMillis(), TimeUnit.MILLISECONDS);
            return outcome == null ? SendOutcome.retryLater("no outcome") : outcome;
        } catch (TimeoutException e) {
            LOG.warn("No send outcome within {} ms; the line will be retried", config.sendTimeout().toMillis());
            // Tells the sender the line was given up, so it can make sure a late acceptance is not
            // taken for the retry's (LinkSender drops the connection).
            future.cancel(false);
            return SendOutcome.retryLater("send timeout");
        } catch (ExecutionException e) {
            return SendOutcome.retryLater(String.valueOf(e.getCause()));
        }
    }

    private void reject(OutboxGeneration.Line line, String text, String reason) throws IOException {
        rejects.append(text, reason);
        rejected.incrementAndGet();
        advance(line);
    }

    private void advance(OutboxGeneration.Line line) {
        line.generation().advanceTo(line.end());
        seqBeforeLast = seqLast;
        seqLast = checkpoints.submit(files.snapshot());
    }

    private void maintain() throws IOException, InterruptedException {
        if (files.compactIfConsumed(config.compactBytes())) {
            seqBeforeLast = seqLast;
            seqLast = checkpoints.submit(files.snapshot());
        }
        List<OutboxGeneration> drained = files.retirable(config.drainGrace());
        if (!drained.isEmpty()) {
            // The checkpoint must stop naming a file before the file goes: its inode could be reused.
            long seq = checkpoints.submit(files.snapshotWithout(drained));
            if (checkpoints.awaitDurable(seq, Duration.ofSeconds(10))) {
                files.retire(drained);
            }
            seqBeforeLast = seqLast;
            seqLast = checkpoints.submit(files.snapshot());
        }
        long backlog = files.backlogBytes();
        if (backlog > config.backlogWarnBytes() && !backlogWarned) {
            LOG.warn("Outbox backlog is {} bytes (server down or rate-limited?)", backlog);
        }
        backlogWarned = backlog > config.backlogWarnBytes();
    }

    /**
     * Stops the consumer (waiting up to the close timeout for an in-flight send), writes the final
     * checkpoint durably and closes the files. Idempotent.
     */
    @Override
    public void close() {
        synchronized (this) {
            if (closed) {
                return;
            }
            closed = true;
        }
        closing = true;
        wakeup.close();
        try {
            if (thread.isAlive()) {
                thread.join(config.closeTimeout().toMillis());
                if (thread.isAlive()) {
                    LOG.warn("A send was still unanswered at close; that line will be sent again on restart");
                    thread.interrupt();
                    thread.join(TimeUnit.SECONDS.toMillis(5));
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        checkpoints.submit(files.snapshot());
        checkpoints.close();
        try {
            files.close();
        } catch (IOException e) {
            LOG.warn("Closing outbox files failed: {}", e.toString());
        }
    }
}
