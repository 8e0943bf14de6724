package io.agentchat.client;

import java.time.Duration;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs listener callbacks for one connection on its own named thread, in arrival order, so a slow
 * listener never runs on (or stalls) a network thread for long. The queue is bounded: when it is
 * full the network thread waits for room, which stops reading from the socket and pushes back on
 * the server through TCP. Nothing is dropped.
 */
final class FrameDispatcher implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(FrameDispatcher.class);
    private static final Runnable STOP = () -> { };

    private final BlockingQueue<Runnable> queue;
    private final Thread thread;
    private volatile boolean stopped;

    FrameDispatcher(String threadName, int capacity) {
        queue = new ArrayBlockingQueue<>(capacity);
        thread = new Thread(this::run, threadName);
        thread.setDaemon(true);
        thread.setUncaughtExceptionHandler((t, e) -> LOG.error("{} died", t.getName(), e));
        thread.start();
    }

    /** Queues a callback, waiting for room if the listener is behind. False if the dispatcher stopped. */
    boolean dispatch(Runnable callback) {
        try {
            while (!stopped) {
                if (queue.offer(callback, 100, TimeUnit.MILLISECONDS)) {
                    return true;
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        return false;
    }

    /** Lets the queued callbacks run, then ends the thread. */
    void finish() {
        dispatch(STOP);
    }

    boolean isDispatcherThread() {
        return Thread.currentThread() == thread;
    }

    /** Waits up to {@code timeout} for queued callbacks to finish; then stops regardless. */
    void awaitFinished(Duration timeout) {
        if (isDispatcherThread()) {
            return;
        }
        try {
            thread.join(Math.max(1, timeout.toMillis()));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public void close() {
        stopped = true;
        thread.interrupt();
    }

    private void run() {
        try {
            while (true) {
                Runnable next = queue.take();
                if (next == STOP) {
                    return;
                }
                try {
                    next.run();
                } catch (RuntimeException e) {
                    LOG.warn("frame listener failed", e);
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            stopped = true;
        }
    }
}
