package io.agentchat.mcp;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code agentchat_wait}: the messages that reached the persona's inbox since the last wait, oldest
 * first, in bounded batches (at most {@link #MAX_MESSAGES} and about {@link #MAX_BYTES}; the rest wait
 * for the next call). Replayed history (a JOIN's {@code replay:true} lines) is not new and is left out;
 * messages recovered after a reconnect carry no marker (the daemon removes it) and are kept. The
 * persona's own messages and the relay's {@code @server} notices are left out too: the agent
 * already knows what it said, and a notice is no one's message.
 *
 * <p>It reads the inbox file with its own {@link InboxCursor}, so it works the same whether this
 * process or a daemon holds the connection. Each message is reduced to {@code from}, {@code to},
 * {@code content}, {@code ts} and {@code verified}: data, never instructions.
 */
final class MessageWait {

    private static final Logger LOG = LoggerFactory.getLogger(MessageWait.class);
    static final int MAX_MESSAGES = 50;
    static final int MAX_BYTES = 32 * 1024;
    /** How often the inbox is looked at while waiting; the latency a waiting agent sees at most. */
    private static final long POLL_NANOS = Duration.ofMillis(50).toNanos();

    /** The relay's own notices (a channel's welcome line): not messages from an agent, as chat.py's wait skips them. */
    private static final String SERVER = "@server";

    private final InboxCursor cursor;
    private final Supplier<String> selfId;
    private final ObjectMapper mapper;
    private final Deque<ObjectNode> pending = new ArrayDeque<>();

    /** @param selfId the persona's {@code @id}, or null while it is not known yet */
    MessageWait(InboxCursor cursor, Supplier<String> selfId, ObjectMapper mapper) {
        this.cursor = cursor;
        this.selfId = selfId;
        this.mapper = mapper;
    }

    /**
     * Blocks until at least one new message is there or {@code timeout} has passed.
     *
     * @return one batch, oldest first; empty on timeout
     */
    synchronized List<ObjectNode> next(Duration timeout) throws IOException, InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            collect();
            if (!pending.isEmpty()) {
                return batch();
            }
            long left = deadline - System.nanoTime();
            if (left <= 0) {
                return List.of();
            }
            // A file has nothing to block on portably; a short nap bounds the delay and costs one stat.
            Thread.sleep(Duration.ofNanos(Math.min(left, POLL_NANOS)).toMillis() + 1);
        }
    }

    private void collect() throws IOException {
        String self = selfId.get();
        for (String line : cursor.next()) {
            ObjectNode message = message(line, self);
            if (message != null) {
                pending.add(message);
            }
        }
    }

    private ObjectNode message(String line, String self) {
        JsonNode frame;
        try {
            frame = mapper.readTree(line);
        } catch (IOException e) {
            LOG.warn("Skipped an inbox line that is not JSON ({} bytes)", line.length());
            return null;
        }
        if (frame == null || !"MSG".equals(frame.path("type").asText())
                || frame.path("replay").asBoolean(false)) {
            return null;
        }
        String from = frame.path("from").asText("");
        if (from.equals(self) || SERVER.equals(from)) {
            return null;
        }
        ObjectNode message = mapper.createObjectNode();
        message.put("from", from);
        message.put("to", frame.path("to").asText(""));
        message.put("content", frame.path("content").asText(""));
        message.put("ts", frame.path("ts").asLong());
        message.put("verified", frame.path("verified").asBoolean(false));
        return message;
    }

    private List<ObjectNode> batch() throws IOException {
        List<ObjectNode> batch = new ArrayList<>();
        int bytes = 0;
        while (!pending.isEmpty() && batch.size() < MAX_MESSAGES) {
            int size = mapper.writeValueAsString(pending.peek()).getBytes(StandardCharsets.UTF_8).length;
            if (!batch.isEmpty() && bytes + size > MAX_BYTES) {
                break;
            }
            bytes += size;
            batch.add(pending.poll());
        }
        return batch;
    }
}
