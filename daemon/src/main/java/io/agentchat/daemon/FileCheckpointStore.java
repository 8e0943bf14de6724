package io.agentchat.daemon;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code outbox.offset} written as temp file + fsync + atomic rename + directory fsync: after
 * {@link #write} returns, a crash or power loss leaves either this checkpoint or a newer one,
 * never a torn or empty file.
 */
final class FileCheckpointStore implements CheckpointStore {

    private static final Logger LOG = LoggerFactory.getLogger(FileCheckpointStore.class);
    private static final ObjectMapper JSON = new ObjectMapper();

    private final Path path;
    private final Path tmp;

    FileCheckpointStore(Path path) {
        this.path = path.toAbsolutePath();
        this.tmp = this.path.resolveSibling(this.path.getFileName() + ".tmp");
    }

    @Override
    public OutboxCheckpoint read() throws IOException {
        byte[] bytes;
        try {
            bytes = Files.readAllBytes(path);
        } catch (NoSuchFileException e) {
            return OutboxCheckpoint.empty();
        }
        try {
            JsonNode root = JSON.readTree(bytes);
            List<OutboxCheckpoint.Entry> entries = new ArrayList<>();
            for (JsonNode g : root.path("generations")) {
                entries.add(new OutboxCheckpoint.Entry(g.path("file").asText(), g.path("key").asText(),
                        g.path("offset").asLong(), g.path("head").asText("")));
            }
            return new OutboxCheckpoint(entries);
        } catch (IOException | RuntimeException e) {
            // Cannot happen through our atomic writes; if a human edited it, starting over
            // re-sends the outbox, which is loud (duplicates) rather than silent (loss).
            LOG.warn("Ignoring unreadable {}: {}", path, e.toString());
            return OutboxCheckpoint.empty();
        }
    }

    @Override
    public void write(OutboxCheckpoint checkpoint) throws IOException {
        ObjectNode root = JSON.createObjectNode();
        root.put("version", OutboxCheckpoint.VERSION);
        ArrayNode generations = root.putArray("generations");
        for (OutboxCheckpoint.Entry e : checkpoint.generations()) {
            generations.addObject().put("file", e.file()).put("key", e.key()).put("offset", e.offset())
                    .put("head", e.head());
        }
        byte[] bytes = root.toString().getBytes(StandardCharsets.UTF_8);
        try (FileChannel out = FileChannel.open(tmp, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                StandardOpenOption.TRUNCATE_EXISTING)) {
            ByteBuffer buffer = ByteBuffer.wrap(bytes);
            while (buffer.hasRemaining()) {
                out.write(buffer);
            }
            out.force(false);
        }
        Files.move(tmp, path, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        forceDirectory(path.getParent());
    }

    private static void forceDirectory(Path dir) {
        // Makes the rename itself durable. Linux allows fsync on a directory opened read-only;
        // on platforms that refuse, the rename is still atomic, only its durability is weaker.
        try (FileChannel d = FileChannel.open(dir, StandardOpenOption.READ)) {
            d.force(true);
        } catch (IOException e) {
            LOG.debug("Directory fsync not supported for {}: {}", dir, e.toString());
        }
    }
}
