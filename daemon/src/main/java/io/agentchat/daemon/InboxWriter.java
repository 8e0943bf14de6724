package io.agentchat.daemon;

import com.fasterxml.jackson.databind.JsonNode;
import io.agentchat.protocol.ChannelPosition;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Appends server frames to {@code inbox.jsonl}, one whole line per frame, from one thread, so
 * that the network thread never waits for the disk.
 *
 * <p><b>Contract.</b> Each line is the frame's JSON text as received ({@link InboxLine}) plus
 * {@code \n}, written with one {@code write(2)} ({@link RotatingInbox}), so lines never interleave
 * and appear in the order {@link #offer} accepted them. A reader racing the write can still see
 * the head of a line that crosses a page boundary (the kernel copies page by page), so readers
 * take only bytes up to a newline, as chat.py does. After each batch of appends, {@code newdata}
 * is rewritten ({@link NewdataFile}). A {@code replay:true} MSG already stored is skipped
 * ({@link InboxReplayFilter}); a partial line left by a crash is ended first
 * ({@link PartialLineRepair}).
 *
 * <p><b>Resume.</b> This thread owns the inbox's {@link ChannelPositions}: a channel MSG at or
 * before its channel's position is one the inbox has and is skipped, whatever connection or marker
 * it came with; a stored one moves the position. After a batch that moved one, the inbox is synced
 * and then {@code inbox.position.json} replaced ({@link PositionFile}), so the file never claims a
 * line the inbox lacks. At start the positions are the file's, raised by the inbox's lines (both generations): a daemon
 * killed between writing lines and the file must not take those lines for new.
 *
 * <p><b>Back-pressure.</b> The queue is bounded ({@link Config#queueCapacity}). {@link #offer}
 * never blocks the network thread: it returns false when the queue is full (the disk has stalled
 * for thousands of frames), and the caller reports the loss. Frame content is never logged.
 */
public final class InboxWriter implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(InboxWriter.class);
    private static final int BATCH = 256;

    /**
     * @param maxBytes rotate before the file would exceed this many bytes
     * @param queueCapacity frames that may wait for the writer thread
     * @param dedupCapacity MSG keys remembered for replay de-duplication
     * @param seedBytes how much of the existing inbox tail seeds the de-duplication at start
     */
    public record Config(long maxBytes, int queueCapacity, int dedupCapacity, int seedBytes) {
        public static Config defaults() {
            return new Config(4L * 1024 * 1024, 10_000, 10_000, 1024 * 1024);
        }
    }

    /** A frame's text to store, or (text null) a barrier completed once everything before it is. */
    private record Entry(String text, CompletableFuture<Void> barrier) {
    }

    private final Config config;
    private final BlockingQueue<Entry> queue;
    private final InboxReplayFilter replays;
    private final ChannelPositions positions;
    private final PositionFile positionFile;
    private final RotatingInbox file;
    private final NewdataFile newdata;
    private final Thread thread;
    private final AtomicBoolean closed = new AtomicBoolean();
    private final AtomicLong refused = new AtomicLong();
    private final AtomicLong alreadyHeld = new AtomicLong();
    private long positionWriteFailures;

    /**
     * Opens (creating if needed) the inbox, seeds de-duplication and the channel positions from the
     * position file and the inbox's tail, starts the thread.
     */
    public InboxWriter(PersonaPaths paths, Config config, Clock clock) throws IOException {
        Objects.requireNonNull(paths, "paths");
        this.config = Objects.requireNonNull(config, "config");
        this.queue = new ArrayBlockingQueue<>(config.queueCapacity());
        this.newdata = new NewdataFile(paths.newdata(), Objects.requireNonNull(clock, "clock"));
        paths.createDirectories();
        // Both generations whole for the positions: a channel's last line can lie anywhere in them
        // (one batch of long lines is more than any tail), and a position missed means lines written
        // twice. The de-duplication needs only the tail.
        List<String> lines = InboxTail.recentLines(paths, (int) Math.min(Integer.MAX_VALUE - 8, 2 * config.maxBytes()));
        List<JsonNode> frames = new ArrayList<>(lines.size());
        int tailStart = lines.size();
        long tailBytes = 0;
        for (int i = lines.size() - 1; i >= 0 && tailBytes + lines.get(i).length() + 1 <= config.seedBytes(); i--) {
            tailBytes += lines.get(i).length() + 1;
            tailStart = i;
        }
        List<JsonNode> tail = new ArrayList<>();
        for (int i = 0; i < lines.size(); i++) {
            JsonNode frame = InboxLine.parseObject(lines.get(i));
            if (frame != null) {
                frames.add(frame);
                if (i >= tailStart) {
                    tail.add(frame);
                }
            }
        }
        this.replays = InboxReplayFilter.seededFrom(tail, config.dedupCapacity());
        this.positionFile = new PositionFile(paths.inboxPosition());
        this.positions = resumePoint(positionFile.read(), frames);
        this.file = new RotatingInbox(paths, config.maxBytes());
        this.thread = new DaemonThreads("inbox-" + paths.name()).newThread(this::run);
        thread.start();
    }

    /**
     * Queues one frame's text; never blocks. Returns false when the writer is closed or its queue
     * is full, in which case the frame is not stored and the caller must report it.
     */
    public boolean offer(String frameJson) {
        Objects.requireNonNull(frameJson, "frameJson");
        if (closed.get()) {
            return false;
        }
        boolean accepted = queue.offer(new Entry(frameJson, null));
        if (!accepted) {
            long n = refused.incrementAndGet();
            if (n == 1 || Long.bitCount(n) == 1) {
                LOG.warn("Inbox queue full ({} frames); {} frame(s) not stored so far", config.queueCapacity(), n);
            }
        }
        return accepted;
    }

    /** Completes once every frame offered before this call is on disk and newdata is touched. */
    public CompletableFuture<Void> flush() {
        CompletableFuture<Void> barrier = new CompletableFuture<>();
        if (closed.get() && !thread.isAlive()) {
            barrier.complete(null);
            return barrier;
        }
        try {
            queue.put(new Entry(null, barrier));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            barrier.completeExceptionally(e);
        }
        return barrier;
    }

    /** The positions of the channels' messages written so far; the link resumes from them. */
    ChannelPositions positions() {
        return positions;
    }

    public long duplicatesSkipped() {
        return replays.duplicatesSkipped();
    }

    /** Channel MSGs skipped because the inbox already had their seq (recovered or replayed again). */
    public long positionsSkipped() {
        return alreadyHeld.get();
    }

    public long rotations() {
        return file.rotations();
    }

    /** Writes what is queued, then stops the thread (bounded wait) and closes the file. Idempotent. */
    @Override
    public void close() {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        CompletableFuture<Void> last = new CompletableFuture<>();
        try {
            if (queue.offer(new Entry(null, last), 5, TimeUnit.SECONDS)) {
                last.get(10, TimeUnit.SECONDS);
            }
        } catch (Exception e) {
            LOG.warn("Inbox writer did not drain in time: {}", e.toString());
        }
        thread.interrupt();
        try {
            thread.join(Duration.ofSeconds(5).toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        try {
            file.close();
        } catch (IOException e) {
            LOG.warn("Closing inbox failed: {}", e.toString());
        }
    }

    private void run() {
        List<Entry> batch = new ArrayList<>(BATCH);
        while (true) {
            try {
                batch.add(queue.take());
            } catch (InterruptedException e) {
                return;
            }
            queue.drainTo(batch, BATCH - 1);
            boolean any = false;
            boolean moved = false;
            for (Entry entry : batch) {
                if (entry.text() != null) {
                    InboxLine line = InboxLine.of(entry.text());
                    boolean stored = store(line, entry.text());
                    any |= stored;
                    moved |= stored && positions.advance(line.frame());
                }
            }
            if (any) {
                newdata.touch();
            }
            if (moved) {
                savePositions();
            }
            for (Entry entry : batch) {
                if (entry.barrier() != null) {
                    entry.barrier().complete(null);
                }
            }
            batch.clear();
        }
    }

    /** True when the frame is now in the file. */
    private boolean store(InboxLine line, String text) {
        if (line == null) {
            LOG.warn("Dropped a multi-line frame that is not JSON ({} chars)", text.length());
            return false;
        }
        if (positions.covers(line.frame())) {
            alreadyHeld.incrementAndGet();
            LOG.debug("Skipped a channel MSG whose seq the inbox already has");
            return false;
        }
        if (line.frame() != null && !replays.admit(line.frame())) {
            return false;
        }
        return file.append((line.line() + "\n").getBytes(StandardCharsets.UTF_8));
    }

    /**
     * The lines first, then the record of them. A failure leaves the old file, which only makes the
     * next resume ask for messages the inbox has and skips; it is logged the first time and then
     * at every power of two.
     */
    private void savePositions() {
        if (!file.force()) {
            return;
        }
        try {
            positionFile.write(positions.snapshot());
        } catch (IOException e) {
            long n = ++positionWriteFailures;
            if (Long.bitCount(n) == 1) {
                LOG.warn("Cannot write {} ({} failure(s) so far): {}", positionFile.path(), n, e.toString());
            }
        }
    }

    /** The file's positions, raised by any later message in the inbox (written after the file was). */
    private static ChannelPositions resumePoint(Map<String, ChannelPosition> saved, List<JsonNode> inbox) {
        ChannelPositions positions = new ChannelPositions();
        saved.forEach(positions::raise);
        for (JsonNode frame : inbox) {
            positions.advance(frame);
        }
        if (positions.size() > 0) {
            LOG.info("Inbox holds messages of {} channel(s) up to {}", positions.size(), positions.snapshot());
        }
        return positions;
    }
}
