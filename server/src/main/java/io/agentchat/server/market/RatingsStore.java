package io.agentchat.server.market;

import io.agentchat.reputation.AtomicFile;
import io.agentchat.reputation.Rating;
import io.agentchat.reputation.RatingsFormat;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The server's one persistent file, {@code <dataDir>/ratings.json}, in the reference's format
 * ({@link RatingsFormat}), so files move freely between the two servers.
 *
 * <p>It is read once, at start-up: a corrupt file stops the server with a one-line
 * {@link RatingsFileException} and is never overwritten, so an operator can repair it. Updates
 * change memory under this object's lock; the file is rewritten behind them by one writer thread,
 * coalescing bursts, always with an atomic replace ({@link AtomicFile}). Callers on network
 * threads therefore never wait for the disk.
 */
public final class RatingsStore implements Ratings, AutoCloseable {
    static final String FILE_NAME = "ratings.json";
    private static final Logger LOG = LoggerFactory.getLogger(RatingsStore.class);

    private final Path file;
    private final int maxAgents;
    private final Map<String, Rating> ratings;
    private final ExecutorService writer;
    private final AtomicBoolean writeQueued = new AtomicBoolean();

    private RatingsStore(Path file, int maxAgents, Map<String, Rating> ratings) {
        this.file = file;
        this.maxAgents = maxAgents;
        this.ratings = ratings;
        this.writer = Executors.newSingleThreadExecutor(runnable -> {
            Thread thread = new Thread(runnable, "agentchat-ratings-writer");
            thread.setDaemon(true);
            thread.setUncaughtExceptionHandler((t, e) -> LOG.error("ratings writer failed", e));
            return thread;
        });
    }

    /**
     * Loads {@code <dataDir>/ratings.json} (a missing file is an empty store).
     *
     * @param maxAgents how many agents the store may hold; updates that would add more are refused
     * @throws RatingsFileException if the file exists but is not a ratings file
     */
    public static RatingsStore open(Path dataDir, int maxAgents) {
        Path file = dataDir.resolve(FILE_NAME);
        return new RatingsStore(file, maxAgents, load(file));
    }

    /** A store that is never read from or written to disk (tests, or a server run without a data directory). */
    public static RatingsStore inMemory(int maxAgents) {
        return new RatingsStore(null, maxAgents, new LinkedHashMap<>());
    }

    @Override
    public synchronized Rating get(String agentRef) {
        return ratings.getOrDefault(agentRef, Rating.NEW);
    }

    /** Under one lock: a skill search rates up to every registered agent at once. */
    @Override
    public synchronized Map<String, Rating> getAll(Collection<String> agentRefs) {
        Map<String, Rating> all = new HashMap<>();
        for (String agentRef : agentRefs) {
            all.put(agentRef, ratings.getOrDefault(agentRef, Rating.NEW));
        }
        return all;
    }

    /**
     * Applies new entries for the given agents and schedules a rewrite of the file.
     *
     * @throws IllegalStateException if the new agents would exceed the store's bound
     */
    synchronized void putAll(Map<String, Rating> updates) {
        long added = updates.keySet().stream().filter(id -> !ratings.containsKey(id)).count();
        if (ratings.size() + added > maxAgents) {
            throw new IllegalStateException("ratings store is full (" + maxAgents + " agents)");
        }
        ratings.putAll(updates);
        scheduleWrite();
    }

    @Override
    public synchronized boolean replace(Map<String, Rating> expected, Map<String, Rating> updates) {
        for (Map.Entry<String, Rating> e : expected.entrySet()) {
            if (!get(e.getKey()).equals(e.getValue())) {
                return false;
            }
        }
        putAll(updates);
        return true;
    }

    /** Every entry, as the file would hold it. */
    synchronized Map<String, Rating> snapshot() {
        return new LinkedHashMap<>(ratings);
    }

    /**
     * Takes the cluster's ledger's entries (new agents only within the store's bound) and schedules
     * a rewrite of the file; entries the ledger lacks are kept. An entry with fewer transactions than
     * the one held is older (each settlement adds one): a whole-ledger read that a published change
     * overtook must not undo it.
     */
    synchronized void mergeAll(Map<String, Rating> entries) {
        if (entries.isEmpty()) {
            return;
        }
        for (Map.Entry<String, Rating> e : entries.entrySet()) {
            Rating held = ratings.get(e.getKey());
            if (held != null ? held.transactions() <= e.getValue().transactions() : ratings.size() < maxAgents) {
                ratings.put(e.getKey(), e.getValue());
            }
        }
        scheduleWrite();
    }

    /** Completes once every update made before this call is on disk (or its write failed and was logged). */
    CompletableFuture<Void> flush() {
        return CompletableFuture.runAsync(() -> { }, writer);
    }

    @Override
    public void close() {
        if (writer.isShutdown()) {
            return;
        }
        writer.shutdown();
        try {
            if (!writer.awaitTermination(10, TimeUnit.SECONDS)) {
                LOG.error("ratings writer did not finish within 10 s; {} may be behind", file);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private void scheduleWrite() {
        if (file != null && writeQueued.compareAndSet(false, true)) {
            writer.execute(this::writeNow);
        }
    }

    private void writeNow() {
        writeQueued.set(false);
        String text;
        synchronized (this) {
            text = RatingsFormat.render(ratings);
        }
        try {
            AtomicFile.write(file, text.getBytes(StandardCharsets.UTF_8));
        } catch (IOException e) {
            // Memory stays authoritative; the next update retries the write.
            LOG.error("cannot write ratings file {}: {}", file.toAbsolutePath(), e.toString());
        }
    }

    private static Map<String, Rating> load(Path file) {
        String text;
        try {
            text = Files.readString(file, StandardCharsets.UTF_8);
        } catch (NoSuchFileException e) {
            return new LinkedHashMap<>();
        } catch (IOException e) {
            throw new RatingsFileException(file, "cannot read: " + e.getMessage());
        }
        try {
            return RatingsFormat.parse(text);
        } catch (IllegalArgumentException e) {
            throw new RatingsFileException(file, e.getMessage());
        }
    }
}
