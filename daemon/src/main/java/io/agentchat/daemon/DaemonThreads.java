package io.agentchat.daemon;

import java.util.concurrent.ThreadFactory;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Names every daemon thread {@code agentchat-<role>-<n>} and logs anything that escapes it, so a
 * thread dump or a log line always says which part of the daemon a thread belongs to.
 */
public final class DaemonThreads implements ThreadFactory {

    private static final Logger LOG = LoggerFactory.getLogger(DaemonThreads.class);

    private final String prefix;
    private final AtomicInteger counter = new AtomicInteger();

    public DaemonThreads(String role) {
        this.prefix = "agentchat-" + role + "-";
    }

    @Override
    public Thread newThread(Runnable task) {
        Thread thread = new Thread(task, prefix + counter.incrementAndGet());
        // Daemon threads: a forgotten close() must not keep the JVM alive after main returns.
        thread.setDaemon(true);
        thread.setUncaughtExceptionHandler(
                (t, e) -> LOG.error("Uncaught exception in thread {}", t.getName(), e));
        return thread;
    }
}
