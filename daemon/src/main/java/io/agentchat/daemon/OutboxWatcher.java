package io.agentchat.daemon;

import io.methvin.watcher.DirectoryChangeEvent;
import io.methvin.watcher.DirectoryWatcher;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Wakes the outbox consumer when anything named {@code outbox.jsonl*} in the persona directory
 * changes: the primary trigger, so a line goes out within milliseconds of its append.
 *
 * <p>The watcher only wakes; it never reads the outbox (a single consumer does, by offset). It watches
 * the directory rather than the file, so a deleted and recreated {@code outbox.jsonl} is still
 * seen (the original's {@code fs.watch} lost it). OVERFLOW (events were dropped), the watcher's
 * start and its first idle moment (its registration is complete) all trigger a wake, i.e. a
 * rescan. File hashing is off: it would re-hash the whole file on every append, and the consumer
 * tracks byte offsets itself. The watch loop runs on its own named single thread, never on the
 * common pool.
 */
public final class OutboxWatcher implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(OutboxWatcher.class);
    private static final String PREFIX = "outbox.jsonl";

    private final DirectoryWatcher watcher;
    private final ExecutorService executor;
    private final CompletableFuture<Void> loop;
    private final Runnable wake;
    private volatile boolean idleSeen;

    private OutboxWatcher(Path dir, Runnable wake, String persona) throws IOException {
        this.wake = wake;
        this.watcher = DirectoryWatcher.builder()
                .path(dir)
                .fileHashing(false)
                .listener(new io.methvin.watcher.DirectoryChangeListener() {
                    @Override
                    public void onEvent(DirectoryChangeEvent event) {
                        handle(event);
                    }

                    @Override
                    public void onIdle(int count) {
                        if (!idleSeen) {
                            idleSeen = true;
                            wake.run();
                        }
                    }

                    @Override
                    public void onException(Exception e) {
                        LOG.warn("Outbox watcher error; the consumer's poll still runs: {}", e.toString());
                        wake.run();
                    }
                })
                .build();
        this.executor = Executors.newSingleThreadExecutor(new DaemonThreads("watch-" + persona));
        this.loop = watcher.watchAsync(executor);
        loop.whenComplete((v, e) -> {
            if (e != null) {
                LOG.warn("Outbox watcher stopped: {}", e.toString());
            }
        });
        wake.run();
    }

    /** Starts watching {@code paths.dir()} and calls {@code wake} for every relevant change. */
    public static OutboxWatcher start(PersonaPaths paths, Runnable wake) throws IOException {
        Objects.requireNonNull(wake, "wake");
        return new OutboxWatcher(paths.createDirectories().dir(), wake, paths.name());
    }

    private void handle(DirectoryChangeEvent event) {
        if (event.eventType() == DirectoryChangeEvent.EventType.OVERFLOW) {
            LOG.debug("Watcher overflow; rescanning the outbox");
            wake.run();
            return;
        }
        Path name = event.path() == null ? null : event.path().getFileName();
        if (name != null && name.toString().startsWith(PREFIX)) {
            wake.run();
        }
    }

    /** Stops the watch loop and its thread (bounded wait). Idempotent. */
    @Override
    public void close() {
        try {
            watcher.close();
        } catch (IOException e) {
            LOG.debug("Closing the watcher: {}", e.toString());
        }
        executor.shutdown();
        try {
            if (!executor.awaitTermination(5, TimeUnit.SECONDS)) {
                executor.shutdownNow();
            }
        } catch (InterruptedException e) {
            executor.shutdownNow();
            Thread.currentThread().interrupt();
        }
    }
}
