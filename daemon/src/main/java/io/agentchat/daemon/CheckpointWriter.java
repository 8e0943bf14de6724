package io.agentchat.daemon;

import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Writes outbox checkpoints on its own thread so the fsync stays off the send path.
 *
 * <p>Submissions coalesce: only the newest pending checkpoint is written, since it covers all the
 * older ones. Each submission gets a sequence number, and {@link #awaitDurable} lets the consumer
 * bound how far the disk may lag behind the sends (see {@link OutboxTailer} for the guarantee).
 * A failed write is logged and retried with the next submission or at close.
 */
final class CheckpointWriter implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(CheckpointWriter.class);

    private final CheckpointStore store;
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition changed = lock.newCondition();
    private final Thread thread;
    private OutboxCheckpoint pending;
    private long pendingSeq;
    private long submittedSeq;
    private long durableSeq;
    private boolean closing;

    CheckpointWriter(CheckpointStore store, String persona) {
        this.store = Objects.requireNonNull(store, "store");
        this.thread = new DaemonThreads("checkpoint-" + persona).newThread(this::run);
        thread.start();
    }

    /** Queues {@code checkpoint} to be written; returns its sequence number. */
    long submit(OutboxCheckpoint checkpoint) {
        lock.lock();
        try {
            pending = checkpoint;
            pendingSeq = ++submittedSeq;
            changed.signalAll();
            return pendingSeq;
        } finally {
            lock.unlock();
        }
    }

    /** Waits until checkpoint {@code seq} (or a later one) is durable; false on timeout or close. */
    boolean awaitDurable(long seq, Duration timeout) throws InterruptedException {
        long nanos = timeout.toNanos();
        lock.lock();
        try {
            while (durableSeq < seq) {
                if (nanos <= 0 || !thread.isAlive()) {
                    return false;
                }
                nanos = changed.awaitNanos(nanos);
            }
            return true;
        } finally {
            lock.unlock();
        }
    }

    long durableSeq() {
        lock.lock();
        try {
            return durableSeq;
        } finally {
            lock.unlock();
        }
    }

    private void run() {
        while (true) {
            OutboxCheckpoint next;
            long seq;
            lock.lock();
            try {
                while (pending == null && !closing) {
                    changed.awaitUninterruptibly();
                }
                if (pending == null) {
                    return;
                }
                next = pending;
                seq = pendingSeq;
                pending = null;
            } finally {
                lock.unlock();
            }
            boolean ok = write(next);
            lock.lock();
            try {
                if (ok) {
                    durableSeq = Math.max(durableSeq, seq);
                } else if (closing) {
                    LOG.error("Giving up on the outbox checkpoint at close; a restart may resend lines");
                    return;
                } else if (pending == null) {
                    // Keep the failed one so the next submission or a retry in 1 s writes it.
                    pending = next;
                    pendingSeq = seq;
                    changed.await(1, TimeUnit.SECONDS);
                }
                changed.signalAll();
            } catch (InterruptedException e) {
                return;
            } finally {
                lock.unlock();
            }
        }
    }

    private boolean write(OutboxCheckpoint checkpoint) {
        try {
            store.write(checkpoint);
            return true;
        } catch (Exception e) {
            LOG.error("Writing the outbox checkpoint failed; will retry", e);
            return false;
        }
    }

    /** Writes the last pending checkpoint (bounded wait), then stops the thread. Idempotent. */
    @Override
    public void close() {
        lock.lock();
        try {
            closing = true;
            changed.signalAll();
        } finally {
            lock.unlock();
        }
        try {
            thread.join(TimeUnit.SECONDS.toMillis(10));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        if (thread.isAlive()) {
            LOG.warn("Checkpoint writer did not finish within 10 s");
        }
    }
}
