package io.agentchat.daemon;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
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
 * Appends server frames to {@code inbox.jsonl}, one whole line per frame, from one thread (W-2).
 *
 * <p><b>Contract.</b> Each line is the frame's JSON text exactly as received plus {@code \n},
 * written with one {@code write(2)} on an {@code O_APPEND} descriptor, so lines never interleave
 * and appear in the order {@link #offer} accepted them. A reader racing the write can still see
 * the head of a line that crosses a page boundary (the kernel copies page by page), so readers
 * take only bytes up to a newline, as chat.py does. After each
 * batch of appends, {@code newdata} is rewritten with the current time in ms (decimal, no newline,
 * as the original). A {@code replay:true} MSG already stored is skipped ({@link ReplayDedup}).
 *
 * <p><b>Size cap.</b> When the next line would take the file past {@link Config#maxBytes}, the
 * file is renamed to {@code inbox.jsonl.1} (replacing the previous generation) and a new
 * {@code inbox.jsonl} is started. Nothing is ever rewritten in place, so {@code tail -F} and
 * chat.py (which follows by inode) see every line; a reader that falls two full generations
 * behind loses the oldest one.
 *
 * <p><b>Back-pressure.</b> The queue is bounded ({@link Config#queueCapacity}). {@link #offer}
 * never blocks the network thread: it returns false when the queue is full (the disk has stalled
 * for thousands of frames), and the caller reports the loss. Frame content is never logged.
 */
public final class InboxWriter implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(InboxWriter.class);
    private static final ObjectMapper JSON = new ObjectMapper();
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

    private record Entry(String text, CompletableFuture<Void> barrier) {
    }

    private final PersonaPaths paths;
    private final Config config;
    private final Clock clock;
    private final BlockingQueue<Entry> queue;
    private final ReplayDedup dedup;
    private final Thread thread;
    private final AtomicBoolean closed = new AtomicBoolean();
    private final AtomicLong written = new AtomicLong();
    private final AtomicLong duplicates = new AtomicLong();
    private final AtomicLong rotations = new AtomicLong();
    private final AtomicLong refused = new AtomicLong();
    private FileChannel channel;
    private long size;

    /** Opens (creating if needed) the inbox, seeds de-duplication from its tail, starts the thread. */
    public InboxWriter(PersonaPaths paths, Config config, Clock clock) throws IOException {
        this.paths = Objects.requireNonNull(paths, "paths");
        this.config = Objects.requireNonNull(config, "config");
        this.clock = Objects.requireNonNull(clock, "clock");
        this.queue = new ArrayBlockingQueue<>(config.queueCapacity());
        this.dedup = new ReplayDedup(config.dedupCapacity());
        paths.createDirectories();
        seedDedup();
        openInbox();
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

    public long linesWritten() {
        return written.get();
    }

    public long duplicatesSkipped() {
        return duplicates.get();
    }

    public long rotations() {
        return rotations.get();
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
            channel.close();
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
            for (Entry entry : batch) {
                if (entry.text() != null) {
                    any |= writeFrame(entry.text());
                }
            }
            if (any) {
                touchNewdata();
            }
            for (Entry entry : batch) {
                if (entry.barrier() != null) {
                    entry.barrier().complete(null);
                }
            }
            batch.clear();
        }
    }

    private boolean writeFrame(String text) {
        JsonNode frame = parse(text);
        String line = text;
        if (text.indexOf('\n') >= 0 || text.indexOf('\r') >= 0) {
            // One frame must stay one line; JSON never needs a raw newline, so re-encode compactly.
            if (frame == null) {
                LOG.warn("Dropped a multi-line frame that is not JSON ({} chars)", text.length());
                return false;
            }
            line = frame.toString();
        }
        if (frame != null && !dedup.admit(frame)) {
            duplicates.incrementAndGet();
            LOG.debug("Skipped a replayed MSG already in the inbox");
            return false;
        }
        byte[] bytes = (line + "\n").getBytes(StandardCharsets.UTF_8);
        try {
            if (size > 0 && size + bytes.length > config.maxBytes()) {
                rotate();
            }
            ByteBuffer buffer = ByteBuffer.wrap(bytes);
            while (buffer.hasRemaining()) {
                channel.write(buffer);
            }
            size += bytes.length;
            written.incrementAndGet();
            return true;
        } catch (IOException e) {
            LOG.error("Writing to {} failed; frame of {} bytes not stored", paths.inbox(), bytes.length, e);
            recover();
            return false;
        }
    }

    /**
     * After a failed write (disk full mid-line) or a failed rotation: reopen the inbox, which ends a
     * partial last line with a newline, so the next frame does not glue onto the fragment.
     */
    private void recover() {
        try {
            if (channel != null && channel.isOpen()) {
                channel.close();
            }
            openInbox();
        } catch (IOException e) {
            LOG.error("Reopening {} failed; will try again with the next frame", paths.inbox(), e);
        }
    }

    private void rotate() throws IOException {
        channel.close();
        Files.move(paths.inbox(), paths.inboxRotated(), StandardCopyOption.REPLACE_EXISTING,
                StandardCopyOption.ATOMIC_MOVE);
        openInbox();
        rotations.incrementAndGet();
        LOG.info("Rotated inbox to {}", paths.inboxRotated());
    }

    private void openInbox() throws IOException {
        channel = FileChannel.open(paths.inbox(), StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                StandardOpenOption.APPEND);
        size = channel.size();
        if (size > 0 && !endsWithNewline(paths.inbox(), size)) {
            // A previous process died mid-line (disk full, SIGKILL during a huge write). Close that
            // line so our first frame does not glue onto it; readers skip the broken one.
            channel.write(ByteBuffer.wrap(new byte[] {'\n'}));
            size += 1;
            LOG.warn("Inbox ended with a partial line; terminated it");
        }
    }

    private static boolean endsWithNewline(Path file, long size) throws IOException {
        try (FileChannel read = FileChannel.open(file, StandardOpenOption.READ)) {
            ByteBuffer one = ByteBuffer.allocate(1);
            return read.read(one, size - 1) == 1 && one.get(0) == '\n';
        }
    }

    private void seedDedup() throws IOException {
        long current = Files.isRegularFile(paths.inbox()) ? Files.size(paths.inbox()) : 0;
        int fromRotated = (int) Math.max(0, config.seedBytes() - current);
        List<String> lines = new ArrayList<>(InboxTail.lastLines(paths.inboxRotated(), fromRotated));
        lines.addAll(InboxTail.lastLines(paths.inbox(), config.seedBytes()));
        for (String line : lines) {
            JsonNode frame = parse(line);
            if (frame != null) {
                dedup.remember(frame);
            }
        }
        LOG.debug("Seeded replay de-duplication with {} keys", dedup.size());
    }

    private void touchNewdata() {
        try {
            Files.writeString(paths.newdata(), Long.toString(clock.millis()), StandardCharsets.UTF_8);
        } catch (IOException e) {
            LOG.warn("Could not update {}: {}", paths.newdata(), e.toString());
        }
    }

    private static JsonNode parse(String text) {
        try {
            JsonNode node = JSON.readTree(text);
            return node != null && node.isObject() ? node : null;
        } catch (JsonProcessingException e) {
            return null;
        }
    }
}
