package io.agentchat.mcp;

import io.agentchat.daemon.PersonaPaths;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A reader's own position in the persona's {@code inbox.jsonl} (docs/daemon-files.md): the file
 * (device and inode) and the byte offset just after the last line taken. It takes only complete
 * lines; when the writer has rotated the file, it finishes the old one (now {@code inbox.jsonl.1})
 * before starting the new one, so no line is lost across a rotation; a file shrunk by hand is read
 * again from its start. Read-only: the daemon's files are never changed.
 */
final class InboxCursor {

    private static final Logger LOG = LoggerFactory.getLogger(InboxCursor.class);
    /** Bytes read per call; an inbox line is one server frame, far smaller. */
    private static final int CHUNK = 1 << 20;

    private final PersonaPaths paths;
    private Object fileKey;
    private long offset;

    private InboxCursor(PersonaPaths paths, Object fileKey, long offset) {
        this.paths = paths;
        this.fileKey = fileKey;
        this.offset = offset;
    }

    /** A cursor after the inbox's last complete line: what was there before is not new. */
    static InboxCursor atEnd(PersonaPaths paths) throws IOException {
        Object key = keyOf(paths.inbox());
        return new InboxCursor(paths, key, key == null ? 0 : endOfLastLine(paths.inbox()));
    }

    /** The complete lines written since the last call, oldest first. */
    List<String> next() throws IOException {
        List<String> lines = new ArrayList<>();
        Object key = keyOf(paths.inbox());
        if (key == null) {
            return lines;
        }
        if (!key.equals(fileKey)) {
            if (fileKey != null && fileKey.equals(keyOf(paths.inboxRotated()))) {
                drain(paths.inboxRotated(), lines);
            } else if (fileKey != null) {
                LOG.warn("The inbox was replaced and its previous generation is gone; lines may have been missed");
            }
            fileKey = key;
            offset = 0;
        }
        drain(paths.inbox(), lines);
        return lines;
    }

    /** Reads complete lines of {@code file} from {@link #offset} to its end. */
    private void drain(Path file, List<String> lines) throws IOException {
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ)) {
            if (channel.size() < offset) {
                LOG.warn("{} shrank below the read position; reading it again from the start", file);
                offset = 0;
            }
            while (offset < channel.size()) {
                ByteBuffer buffer = ByteBuffer.allocate((int) Math.min(CHUNK, channel.size() - offset));
                while (buffer.hasRemaining() && channel.read(buffer, offset + buffer.position()) > 0) {
                    // fill the buffer; the file may still be growing
                }
                int used = takeLines(buffer.array(), buffer.position(), lines);
                if (used == 0) {
                    if (buffer.position() == CHUNK) {
                        LOG.warn("Skipped an inbox line longer than {} bytes", CHUNK);
                        offset += CHUNK;
                        continue;
                    }
                    return; // a line still being written
                }
                offset += used;
            }
        } catch (NoSuchFileException e) {
            LOG.debug("{} vanished while being read", file);
        }
    }

    /** Adds the complete lines in {@code bytes[0, length)}; returns the bytes they span. */
    private static int takeLines(byte[] bytes, int length, List<String> lines) {
        int start = 0;
        for (int i = 0; i < length; i++) {
            if (bytes[i] == '\n') {
                if (i > start) {
                    lines.add(new String(bytes, start, i - start, StandardCharsets.UTF_8));
                }
                start = i + 1;
            }
        }
        return start;
    }

    private static long endOfLastLine(Path file) throws IOException {
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ)) {
            long size = channel.size();
            long from = Math.max(0, size - CHUNK);
            ByteBuffer buffer = ByteBuffer.allocate((int) (size - from));
            while (buffer.hasRemaining() && channel.read(buffer, from + buffer.position()) > 0) {
                // fill
            }
            for (int i = buffer.position() - 1; i >= 0; i--) {
                if (buffer.get(i) == '\n') {
                    return from + i + 1;
                }
            }
            return from;
        }
    }

    private static Object keyOf(Path file) throws IOException {
        try {
            return Objects.requireNonNull(Files.readAttributes(file, BasicFileAttributes.class).fileKey(),
                    "this file system gives no file keys");
        } catch (NoSuchFileException e) {
            return null;
        }
    }
}
