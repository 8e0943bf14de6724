package io.agentchat.daemon;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;

/**
 * One physical outbox file (one inode) the tailer reads: the live {@code outbox.jsonl}, or an
 * older one being drained after a rename. It is opened read-only, so the tailer can never
 * truncate or modify what a writer appends. Owned by the tailer's consumer thread.
 */
final class OutboxGeneration implements AutoCloseable {

    /** A complete line: its bytes without {@code \n}, and the offset just past its {@code \n}. */
    record Line(OutboxGeneration generation, byte[] bytes, long end, boolean oversized) {
    }

    /** How many leading bytes identify a file beyond its inode number (see OutboxCheckpoint). */
    static final int HEAD_BYTES = 256;

    private final FileChannel channel;
    private String fullHead;
    private final String key;
    private Path path;
    private long offset;
    private long lastSize = -1;
    private long lastGrowthNanos;

    private OutboxGeneration(Path path, FileChannel channel, String key, long offset) {
        this.path = path;
        this.channel = channel;
        this.key = key;
        this.offset = offset;
        this.lastGrowthNanos = System.nanoTime();
    }

    /** Opens {@code path} read-only; empty if it does not exist. */
    static Optional<OutboxGeneration> open(Path path) throws IOException {
        FileChannel channel;
        try {
            channel = FileChannel.open(path, StandardOpenOption.READ);
        } catch (java.nio.file.NoSuchFileException e) {
            return Optional.empty();
        }
        try {
            return Optional.of(new OutboxGeneration(path, channel, keyOf(path).orElse("?"), 0));
        } catch (RuntimeException e) {
            channel.close();
            throw e;
        }
    }

    /** The identity (device and inode) of the file now at {@code path}; empty if none. */
    static Optional<String> keyOf(Path path) {
        try {
            Object k = Files.readAttributes(path, BasicFileAttributes.class).fileKey();
            return Optional.of(k == null ? path.toString() : k.toString());
        } catch (IOException e) {
            return Optional.empty();
        }
    }

    String key() {
        return key;
    }

    Path path() {
        return path;
    }

    /** Records that the file was renamed (by us) so a later delete targets the right name. */
    void renamedTo(Path newPath) {
        this.path = newPath;
    }

    /**
     * Digest of the first {@code min(upTo, 256)} bytes: these never change in an append-only
     * file, so together with the inode they tell this file from a later one reusing the inode.
     * Returns "" when the file cannot be read (verification is then skipped).
     */
    String head(long upTo) {
        int n = (int) Math.min(upTo, HEAD_BYTES);
        if (n == HEAD_BYTES && fullHead != null) {
            return fullHead;
        }
        try {
            ByteBuffer buffer = ByteBuffer.allocate(n);
            while (buffer.hasRemaining() && channel.read(buffer, buffer.position()) > 0) {
                // fill the prefix
            }
            byte[] digest = MessageDigest.getInstance("SHA-256").digest(Arrays.copyOf(buffer.array(), buffer.position()));
            String hex = HexFormat.of().formatHex(digest, 0, 8);
            if (n == HEAD_BYTES) {
                fullHead = hex;
            }
            return hex;
        } catch (IOException | NoSuchAlgorithmException e) {
            return "";
        }
    }

    long offset() {
        return offset;
    }

    void advanceTo(long end) {
        this.offset = end;
    }

    long size() throws IOException {
        long size = channel.size();
        if (size != lastSize) {
            lastSize = size;
            lastGrowthNanos = System.nanoTime();
        }
        return size;
    }

    /** Nanoseconds since the size was last seen to change. */
    long idleNanos() {
        return System.nanoTime() - lastGrowthNanos;
    }

    /**
     * Restores {@code offset} from a checkpoint if it still makes sense for this file: within the
     * file and just after a newline. Returns false (and keeps 0) otherwise.
     */
    boolean restore(long checkpointed) throws IOException {
        if (checkpointed <= 0) {
            return checkpointed == 0;
        }
        if (checkpointed > channel.size()) {
            return false;
        }
        ByteBuffer one = ByteBuffer.allocate(1);
        if (channel.read(one, checkpointed - 1) != 1 || one.get(0) != '\n') {
            return false;
        }
        offset = checkpointed;
        return true;
    }

    /**
     * The complete lines after the current offset, reading at most about {@code budget} bytes
     * (always at least one whole line if one is complete). A line longer than
     * {@code maxLineBytes} is returned once its newline exists, marked oversized, holding only
     * its first {@code maxLineBytes} bytes. An unterminated last line is not returned.
     */
    List<Line> readLines(int budget, int maxLineBytes) throws IOException {
        List<Line> lines = new ArrayList<>();
        long position = offset;
        long size = size();
        ByteBuffer buffer = ByteBuffer.allocate(Math.max(budget, maxLineBytes + 1));
        while (position < size && lines.isEmpty() || position < size && position - offset < budget) {
            buffer.clear();
            int n = channel.read(buffer, position);
            if (n <= 0) {
                break;
            }
            byte[] data = buffer.array();
            int start = 0;
            for (int i = 0; i < n; i++) {
                if (data[i] == '\n') {
                    boolean tooLong = i - start > maxLineBytes;
                    byte[] bytes = Arrays.copyOfRange(data, start, tooLong ? start + maxLineBytes : i);
                    lines.add(new Line(this, bytes, position + i + 1, tooLong));
                    start = i + 1;
                }
            }
            if (start == 0) {
                if (n <= maxLineBytes) {
                    break; // an unterminated last line: wait for its newline
                }
                // More than maxLineBytes without a newline: too long to hold. Skip to its end.
                long end = findNewline(position + n);
                if (end < 0) {
                    break;
                }
                lines.add(new Line(this, Arrays.copyOf(data, maxLineBytes), end, true));
                position = end;
            } else {
                position += start;
            }
        }
        return lines;
    }

    /** Offset just past the next {@code \n} at or after {@code from}; -1 if there is none yet. */
    private long findNewline(long from) throws IOException {
        ByteBuffer buffer = ByteBuffer.allocate(64 * 1024);
        long position = from;
        while (true) {
            buffer.clear();
            int n = channel.read(buffer, position);
            if (n <= 0) {
                return -1;
            }
            for (int i = 0; i < n; i++) {
                if (buffer.get(i) == '\n') {
                    return position + i + 1;
                }
            }
            position += n;
        }
    }

    @Override
    public void close() throws IOException {
        channel.close();
    }
}
