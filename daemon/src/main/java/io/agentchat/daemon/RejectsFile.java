package io.agentchat.daemon;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Clock;
import java.util.Objects;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code outbox.rejected.jsonl}: the dead-letter file for outbox lines that will never be sent
 * (nothing fails silently). One JSON line per rejected line: {@code {"line":<raw text>,"reason":<why>,"ts":<ms>}}.
 * Each rejection is also logged at WARN, with the reason and size but never the content.
 */
final class RejectsFile {

    private static final Logger LOG = LoggerFactory.getLogger(RejectsFile.class);
    private static final ObjectMapper JSON = new ObjectMapper();

    private final Path path;
    private final Clock clock;

    RejectsFile(Path path, Clock clock) {
        this.path = Objects.requireNonNull(path, "path");
        this.clock = Objects.requireNonNull(clock, "clock");
    }

    void append(String line, String reason) throws IOException {
        ObjectNode entry = JSON.createObjectNode();
        entry.put("line", line);
        entry.put("reason", reason);
        entry.put("ts", clock.millis());
        byte[] bytes = (entry.toString() + "\n").getBytes(StandardCharsets.UTF_8);
        // One write per entry on an O_APPEND descriptor, like every other JSONL file we write.
        Files.write(path, bytes, StandardOpenOption.CREATE, StandardOpenOption.WRITE, StandardOpenOption.APPEND);
        LOG.warn("Rejected outbox line ({} bytes): {}; see {}", line.length(), reason, path.getFileName());
    }
}
