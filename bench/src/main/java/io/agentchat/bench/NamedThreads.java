package io.agentchat.bench;

import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;

/** Every thread this tool starts has a {@code bench-} name, so its CPU is counted as the client's. */
final class NamedThreads {
    private NamedThreads() {
    }

    static ScheduledExecutorService scheduler(String name) {
        return Executors.newSingleThreadScheduledExecutor(task -> {
            Thread thread = new Thread(task, "bench-" + name);
            thread.setDaemon(true);
            return thread;
        });
    }
}
