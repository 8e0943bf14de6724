package io.agentchat.daemon;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The outbox generations the tailer reads: the live {@code outbox.jsonl} and any older files
 * still being drained after a rename, oldest first. Owned by the consumer thread.
 *
 * <p><b>Compaction by rename-and-drain.</b> The outbox is never truncated. Once the live file is
 * fully consumed and at least {@code compactBytes} long, it is renamed to
 * {@code outbox.jsonl.processing}: a writer that opens {@code outbox.jsonl} afterwards (as
 * {@code echo >>} and chat.py do for every line) creates a fresh file, while a writer that opened
 * the old one just before the rename finishes its append into the renamed inode, which we keep
 * reading. The drained file is deleted only after it has been fully consumed, has not grown for
 * the drain grace period, and a checkpoint without it is durable.
 *
 * <p><b>Writers that hold the file open.</b> Renaming is safe for them (their appends land in the
 * renamed inode, which is drained), deleting is not: a renamed file some process still holds open
 * for writing ({@link OpenWriters}, Linux) is kept and followed until the writer closes it. Only
 * then may the next compaction happen, so such a writer pauses compaction, never loses lines.
 *
 * <p><b>Order across generations.</b> {@link #nextLines} reads the live file first and the older
 * generations after it, and returns the older lines first. A writer's line in an older generation
 * was written before its line in a newer one, so whenever the newer line has been read the older
 * one is visible too: per-writer order holds across a rename.
 */
final class OutboxFiles implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(OutboxFiles.class);
    private static final int DRAIN_BUDGET = 1 << 20;

    private final PersonaPaths paths;
    private final List<OutboxGeneration> draining = new ArrayList<>();
    private final OpenWriters writers = new OpenWriters(TimeUnit.SECONDS.toNanos(2));
    private final Set<String> heldNoticed = new HashSet<>();
    private OutboxGeneration live;
    private volatile long compactions;

    /** Opens the files present now, resuming each at its checkpointed offset (matched by inode). */
    OutboxFiles(PersonaPaths paths, OutboxCheckpoint restored) throws IOException {
        this.paths = paths;
        Optional<OutboxGeneration> processing = OutboxGeneration.open(paths.outboxProcessing());
        if (processing.isPresent()) {
            resume(processing.get(), restored);
            draining.add(processing.get());
        }
        Optional<OutboxGeneration> current = OutboxGeneration.open(paths.outbox());
        if (current.isPresent()) {
            resume(current.get(), restored);
            live = current.get();
        }
    }

    private static void resume(OutboxGeneration generation, OutboxCheckpoint restored) throws IOException {
        Optional<OutboxCheckpoint.Entry> entry = restored.forKey(generation.key());
        if (entry.isEmpty()) {
            if (generation.size() > 0) {
                LOG.info("{} has no checkpoint; reading it from the start", generation.path().getFileName());
            }
            return;
        }
        if (!entry.get().head().isEmpty() && !entry.get().head().equals(generation.head(entry.get().offset()))) {
            LOG.warn("{} reuses the inode of a file consumed earlier; reading it from the start",
                    generation.path().getFileName());
            return;
        }
        if (!generation.restore(entry.get().offset())) {
            LOG.warn("Checkpoint offset {} does not fit {} ({} bytes); reading it from the start",
                    entry.get().offset(), generation.path().getFileName(), generation.size());
        }
    }

    /** Notices an outbox that was deleted, renamed or replaced by someone else, or truncated. */
    void refresh() throws IOException {
        Optional<String> keyNow = OutboxGeneration.keyOf(paths.outbox());
        if (live != null && (keyNow.isEmpty() || !keyNow.get().equals(live.key()))) {
            LOG.info("outbox.jsonl was replaced or removed; draining the old file first");
            draining.add(live);
            live = null;
        }
        if (live == null && keyNow.isPresent()) {
            Optional<OutboxGeneration> opened = OutboxGeneration.open(paths.outbox());
            if (opened.isPresent() && opened.get().key().equals(keyNow.get())) {
                live = opened.get();
            } else if (opened.isPresent()) {
                opened.get().close(); // replaced again between stat and open; next pass
            }
        }
        if (live != null && live.size() < live.offset()) {
            LOG.warn("outbox.jsonl shrank below the consumed offset {} (truncated by hand?); "
                    + "reading it from the start", live.offset());
            live.advanceTo(0);
        }
    }

    /** Complete lines in safe order: older generations first, each read after the newer ones. */
    List<OutboxGeneration.Line> nextLines(int budget, int maxLineBytes) throws IOException {
        List<OutboxGeneration.Line> liveLines = live == null ? List.of() : live.readLines(budget, maxLineBytes);
        List<List<OutboxGeneration.Line>> older = new ArrayList<>();
        for (int i = draining.size() - 1; i >= 0; i--) {
            older.add(0, draining.get(i).readLines(DRAIN_BUDGET, maxLineBytes));
        }
        List<OutboxGeneration.Line> all = new ArrayList<>();
        older.forEach(all::addAll);
        all.addAll(liveLines);
        return all;
    }

    OutboxCheckpoint snapshot() {
        List<OutboxCheckpoint.Entry> entries = new ArrayList<>();
        for (OutboxGeneration g : draining) {
            entries.add(entry(g));
        }
        if (live != null) {
            entries.add(entry(live));
        }
        return new OutboxCheckpoint(entries);
    }

    private static OutboxCheckpoint.Entry entry(OutboxGeneration g) {
        return new OutboxCheckpoint.Entry(g.path().getFileName().toString(), g.key(), g.offset(), g.head(g.offset()));
    }

    /** Bytes written but not yet handled, over all generations. */
    long backlogBytes() throws IOException {
        long total = live == null ? 0 : live.size() - live.offset();
        for (OutboxGeneration g : draining) {
            total += g.size() - g.offset();
        }
        return total;
    }

    /**
     * Renames a fully consumed live file of at least {@code compactBytes} to
     * {@code outbox.jsonl.processing}. Only one renamed generation exists at a time.
     */
    boolean compactIfConsumed(long compactBytes) throws IOException {
        if (live == null || !draining.isEmpty() || Files.exists(paths.outboxProcessing())) {
            return false;
        }
        long size = live.size();
        if (size < compactBytes || live.offset() != size) {
            return false;
        }
        Files.move(paths.outbox(), paths.outboxProcessing(), StandardCopyOption.ATOMIC_MOVE);
        Optional<String> moved = OutboxGeneration.keyOf(paths.outboxProcessing());
        if (moved.isEmpty() || !moved.get().equals(live.key())) {
            // A writer replaced outbox.jsonl between our checks; we moved their new file. Keep
            // reading it under its new name from the start; nothing is lost.
            LOG.warn("outbox.jsonl changed during compaction; draining the moved file from the start");
            OutboxGeneration.open(paths.outboxProcessing()).ifPresent(draining::add);
            draining.add(0, live);
        } else {
            live.renamedTo(paths.outboxProcessing());
            draining.add(live);
        }
        live = null;
        compactions++;
        LOG.debug("Compacted outbox ({} bytes consumed)", size);
        return true;
    }

    long compactions() {
        return compactions;
    }

    /** Renamed generations fully consumed and unchanged for at least {@code grace}. */
    List<OutboxGeneration> retirable(Duration grace) throws IOException {
        List<OutboxGeneration> done = new ArrayList<>();
        for (OutboxGeneration g : draining) {
            if (g.offset() == g.size() && g.idleNanos() >= grace.toNanos() && !heldForWriting(g)) {
                done.add(g);
            }
        }
        return done;
    }

    /**
     * Whether a process holds {@code g} open for writing; said in the log once per file. When that
     * cannot be told, the file is kept for now: keeping it costs disk, deleting it could cost lines.
     */
    private boolean heldForWriting(OutboxGeneration g) {
        OptionalLong pid;
        try {
            pid = writers.writerOf(paths.dir(), g.key());
        } catch (IOException e) {
            LOG.warn("Could not tell whether {} is still open for writing ({}); keeping it", g.path().getFileName(),
                    e.toString());
            return true;
        }
        if (pid.isPresent() && heldNoticed.add(g.key())) {
            LOG.info("{} is held open for writing by pid {}; it is kept and followed until closed "
                    + "(writers should open the outbox per line)", g.path().getFileName(), pid.getAsLong());
        } else if (pid.isEmpty() && heldNoticed.remove(g.key())) {
            LOG.info("{} is no longer held open for writing", g.path().getFileName());
        }
        return pid.isPresent();
    }

    /** The checkpoint as it will be once {@code retiring} are gone. */
    OutboxCheckpoint snapshotWithout(List<OutboxGeneration> retiring) {
        OutboxCheckpoint all = snapshot();
        List<String> keys = retiring.stream().map(OutboxGeneration::key).toList();
        return new OutboxCheckpoint(all.generations().stream().filter(e -> !keys.contains(e.key())).toList());
    }

    /**
     * Forgets {@code retiring}, closes them, and deletes each one that is still our renamed file.
     * Call only once a checkpoint without them is durable.
     */
    void retire(List<OutboxGeneration> retiring) throws IOException {
        for (OutboxGeneration g : retiring) {
            draining.remove(g);
            writers.forget(g.key());
            heldNoticed.remove(g.key());
            g.close();
            if (g.path().equals(paths.outboxProcessing())
                    && OutboxGeneration.keyOf(g.path()).map(g.key()::equals).orElse(false)) {
                Files.deleteIfExists(g.path());
            }
        }
    }

    @Override
    public void close() throws IOException {
        for (OutboxGeneration g : draining) {
            g.close();
        }
        if (live != null) {
            live.close();
        }
    }
}
