package io.agentchat.daemon;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;

/**
 * Reads the complete lines in the last bytes of a JSONL file without loading the whole file:
 * used to seed {@link ReplayDedup} and {@link ChannelPositions} at start and by {@code --status} for "Last message". Read-only.
 */
public final class InboxTail {

    private InboxTail() {
    }

    /**
     * The complete lines in the last {@code maxBytes} of the persona's inbox, oldest first, reaching
     * into {@code inbox.jsonl.1} when the current file is shorter than that.
     */
    static List<String> recentLines(PersonaPaths paths, int maxBytes) throws IOException {
        long current = Files.isRegularFile(paths.inbox()) ? Files.size(paths.inbox()) : 0;
        int fromRotated = (int) Math.max(0, maxBytes - current);
        List<String> lines = new ArrayList<>(lastLines(paths.inboxRotated(), fromRotated));
        lines.addAll(lastLines(paths.inbox(), maxBytes));
        return lines;
    }

    /**
     * The complete lines (without their {@code \n}) that lie entirely within the last
     * {@code maxBytes} bytes of {@code file}, oldest first. A line cut by the window's start and
     * an unterminated last line are left out. A missing file gives an empty list.
     */
    public static List<String> lastLines(Path file, int maxBytes) throws IOException {
        if (!Files.isRegularFile(file) || maxBytes <= 0) {
            return List.of();
        }
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ)) {
            long size = channel.size();
            long start = Math.max(0, size - maxBytes);
            ByteBuffer buffer = ByteBuffer.allocate((int) (size - start));
            while (buffer.hasRemaining() && channel.read(buffer, start + buffer.position()) > 0) {
                // read until the window is full or the file ends early (it may shrink under us)
            }
            byte[] bytes = buffer.array();
            int limit = buffer.position();
            int from = 0;
            if (start > 0) {
                // The window may start inside a line; keep it only if the byte before was '\n'.
                if (!precededByNewline(channel, start)) {
                    while (from < limit && bytes[from] != '\n') {
                        from++;
                    }
                    from++;
                }
            }
            List<String> lines = new ArrayList<>();
            for (int i = from; i < limit; i++) {
                if (bytes[i] == '\n') {
                    lines.add(new String(bytes, from, i - from, StandardCharsets.UTF_8));
                    from = i + 1;
                }
            }
            return lines;
        }
    }

    private static boolean precededByNewline(FileChannel channel, long position) throws IOException {
        ByteBuffer one = ByteBuffer.allocate(1);
        return channel.read(one, position - 1) == 1 && one.get(0) == '\n';
    }
}
