package io.agentchat.server.cluster;

import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One thread of its own for what a Redis subscription brings, in the order it came, so Lettuce's
 * event loop never runs the relay's code; past {@link #QUEUE} waiting tasks, a new one is dropped
 * and logged (unless given to {@link #executeAnyway}).
 */
final class HandOffThread {
    private static final Logger LOG = LoggerFactory.getLogger("agentchat.cluster");
    static final int QUEUE = 10_000;

    private final String what;
    private final ThreadPoolExecutor executor;
    /** While tasks are being dropped: a run of drops is logged once, not once per task, which would slow the caller more. */
    private volatile boolean dropping;

    /** @param what what a task is, for the thread's name ({@code agentchat-<name>}) and the logs */
    HandOffThread(String name, String what) {
        this.what = what;
        // Unbounded underneath: the bound is checked in execute, so executeAnyway can go past it.
        this.executor = new ThreadPoolExecutor(1, 1, 0, TimeUnit.MILLISECONDS, new LinkedBlockingQueue<>(),
                runnable -> {
                    Thread thread = new Thread(runnable, "agentchat-" + name);
                    thread.setDaemon(true);
                    thread.setUncaughtExceptionHandler((t, e) -> LOG.error("{} failed", what, e));
                    return thread;
                },
                (task, pool) -> LOG.warn("{} dropped: closed", what));
    }

    /** Queues the task, or drops it (logged) and returns false when {@link #QUEUE} tasks are waiting already. */
    boolean execute(Runnable task) {
        if (executor.getQueue().size() >= QUEUE) {
            if (!dropping) {
                dropping = true;
                LOG.warn("{} dropped: {} waiting (and any more until there is room)", what, QUEUE);
            }
            return false;
        }
        dropping = false;
        executor.execute(task);
        return true;
    }

    /** Queues the task even past {@link #QUEUE}: for tasks bounded elsewhere, whose loss would leave something waiting for good. */
    void executeAnyway(Runnable task) {
        executor.execute(task);
    }

    void close() {
        executor.shutdownNow();
    }
}
