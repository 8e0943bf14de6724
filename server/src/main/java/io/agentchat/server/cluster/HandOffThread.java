package io.agentchat.server.cluster;

import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One thread of its own for what a Redis subscription brings, in the order it came, so Lettuce's
 * event loop never runs the relay's code; a bounded queue, past which a task is dropped and logged.
 */
final class HandOffThread {
    private static final Logger LOG = LoggerFactory.getLogger("agentchat.cluster");
    static final int QUEUE = 10_000;

    private final ThreadPoolExecutor executor;

    /** @param what what a task is, for the thread's name ({@code agentchat-<name>}) and the logs */
    HandOffThread(String name, String what) {
        this.executor = new ThreadPoolExecutor(1, 1, 0, TimeUnit.MILLISECONDS, new ArrayBlockingQueue<>(QUEUE),
                runnable -> {
                    Thread thread = new Thread(runnable, "agentchat-" + name);
                    thread.setDaemon(true);
                    thread.setUncaughtExceptionHandler((t, e) -> LOG.error("{} failed", what, e));
                    return thread;
                },
                (task, pool) -> LOG.warn("{} dropped: {} waiting", what, QUEUE));
    }

    void execute(Runnable task) {
        executor.execute(task);
    }

    void close() {
        executor.shutdownNow();
    }
}
