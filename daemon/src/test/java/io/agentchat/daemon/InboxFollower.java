package io.agentchat.daemon;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * What {@code tail -F} does, as a test reader: follow a path by name; when the name points at a
 * new inode, finish the old descriptor first, then continue with the new file from its start.
 * Only bytes up to a newline become a line, so a line being written is never reported in halves.
 */
final class InboxFollower implements AutoCloseable {
    private static final ObjectMapper JSON = new ObjectMapper();

    private final Path path;
    private final List<String> lines = new ArrayList<>();
    private final ByteArrayOutputStream partial = new ByteArrayOutputStream();
    private FileChannel channel;
    private String key;
    private long position;
    private int reopens;

    InboxFollower(Path path) {
        this.path = path;
    }

    /** Reads whatever is available now; returns the complete lines seen so far. */
    List<String> poll() throws IOException {
        if (channel == null && !open()) {
            return lines;
        }
        drain();
        Optional<String> now = OutboxGeneration.keyOf(path);
        if (now.isPresent() && !now.get().equals(key)) {
            drain(); // everything written to the old inode before the rename
            channel.close();
            channel = null;
            if (partial.size() > 0) {
                throw new AssertionError("old file ended with a partial line: " + partial);
            }
            reopens++;
            if (open()) {
                drain();
            }
        }
        return lines;
    }

    /**
     * The complete lines of {@code file} now. A line still being appended is left out: the kernel
     * copies a write page by page, so a concurrent reader can see the head of a line that crosses
     * a page boundary before its newline.
     */
    static List<String> completeLines(Path file) throws IOException {
        String text = java.nio.file.Files.readString(file, StandardCharsets.UTF_8);
        int end = text.lastIndexOf('\n');
        return end < 0 ? List.of() : List.of(text.substring(0, end).split("\n", -1));
    }

    /** The inbox's MSG frames from {@code from} to {@code to}, in file order (none before the file exists). */
    static List<JsonNode> messages(Path inbox, String from, String to) throws IOException {
        List<JsonNode> found = new ArrayList<>();
        if (!java.nio.file.Files.exists(inbox)) {
            return found;
        }
        for (String line : completeLines(inbox)) {
            JsonNode frame = JSON.readTree(line);
            if ("MSG".equals(frame.path("type").asText()) && from.equals(frame.path("from").asText())
                    && to.equals(frame.path("to").asText())) {
                found.add(frame);
            }
        }
        return found;
    }

    int reopens() {
        return reopens;
    }

    private boolean open() throws IOException {
        try {
            channel = FileChannel.open(path, StandardOpenOption.READ);
        } catch (NoSuchFileException e) {
            return false;
        }
        key = OutboxGeneration.keyOf(path).orElse("?");
        position = 0;
        return true;
    }

    private void drain() throws IOException {
        ByteBuffer buffer = ByteBuffer.allocate(64 * 1024);
        int n;
        while ((n = channel.read(buffer, position)) > 0) {
            position += n;
            byte[] data = buffer.array();
            for (int i = 0; i < n; i++) {
                if (data[i] == '\n') {
                    lines.add(partial.toString(StandardCharsets.UTF_8));
                    partial.reset();
                } else {
                    partial.write(data[i]);
                }
            }
            buffer.clear();
        }
    }

    @Override
    public void close() throws IOException {
        if (channel != null) {
            channel.close();
        }
    }
}
