package io.agentchat.daemon;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code inbox.jsonl} as an append-only file with a size cap. Each line goes out with one
 * {@code write(2)} on an {@code O_APPEND} descriptor, so lines never interleave. When the next
 * line would take the file past {@code maxBytes}, the file is renamed to {@code inbox.jsonl.1}
 * (replacing the previous generation) and a new {@code inbox.jsonl} is started. Nothing is ever
 * rewritten in place, so {@code tail -F} and chat.py (which follows by inode) see every line; a
 * reader that falls two full generations behind loses the oldest one.
 *
 * <p>Used by the writer thread of {@link InboxWriter} only; {@link #rotations} may be read from
 * any thread.
 */
final class RotatingInbox implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(RotatingInbox.class);

    private final PersonaPaths paths;
    private final long maxBytes;
    private final AtomicLong rotations = new AtomicLong();
    private FileChannel channel;
    private long size;

    /** Opens (creating if needed) the inbox and ends a partial last line left in it. */
    RotatingInbox(PersonaPaths paths, long maxBytes) throws IOException {
        this.paths = paths;
        this.maxBytes = maxBytes;
        open();
    }

    /**
     * Appends one line ({@code bytes} ends with {@code \n}), rotating first if it would not fit.
     * Returns false when the line was not stored: the failure is logged and the file reopened,
     * which ends a partial line (disk full mid-line) or recovers from a failed rotation.
     */
    boolean append(byte[] bytes) {
        try {
            if (size > 0 && size + bytes.length > maxBytes) {
                rotate();
            }
            ByteBuffer buffer = ByteBuffer.wrap(bytes);
            while (buffer.hasRemaining()) {
                channel.write(buffer);
            }
            size += bytes.length;
            return true;
        } catch (IOException e) {
            LOG.error("Writing to {} failed; frame of {} bytes not stored", paths.inbox(), bytes.length, e);
            reopen();
            return false;
        }
    }

    /**
     * Forces the current file's bytes to disk, so a record of what it holds (the position file)
     * written afterwards is never ahead of it, even after a power loss. False, logged, on failure.
     */
    boolean force() {
        try {
            channel.force(false);
            return true;
        } catch (IOException e) {
            LOG.warn("Cannot sync {}: {}", paths.inbox(), e.toString());
            return false;
        }
    }

    long rotations() {
        return rotations.get();
    }

    private void rotate() throws IOException {
        channel.close();
        Files.move(paths.inbox(), paths.inboxRotated(), StandardCopyOption.REPLACE_EXISTING,
                StandardCopyOption.ATOMIC_MOVE);
        open();
        rotations.incrementAndGet();
        LOG.info("Rotated inbox to {}", paths.inboxRotated());
    }

    private void reopen() {
        try {
            if (channel != null && channel.isOpen()) {
                channel.close();
            }
            open();
        } catch (IOException e) {
            LOG.error("Reopening {} failed; will try again with the next frame", paths.inbox(), e);
        }
    }

    private void open() throws IOException {
        channel = FileChannel.open(paths.inbox(), StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                StandardOpenOption.APPEND);
        size = PartialLineRepair.terminate(channel, paths.inbox(), channel.size());
    }

    @Override
    public void close() throws IOException {
        channel.close();
    }
}
