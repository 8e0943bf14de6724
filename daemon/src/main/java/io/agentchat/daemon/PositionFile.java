package io.agentchat.daemon;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.agentchat.protocol.ChannelPosition;
import io.agentchat.reputation.AtomicFile;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code inbox.position.json}: {@code {"version":1,"channels":{"#general":{"seq":41,"epoch":"…"}}}},
 * the {@link ChannelPositions} of the lines already in the inbox. Metadata only, never content.
 * Replaced atomically ({@link AtomicFile}: temp file, fsync, rename), so a reader sees one whole
 * version; the inbox writer writes it only after the lines it covers.
 */
final class PositionFile {

    private static final Logger LOG = LoggerFactory.getLogger(PositionFile.class);
    private static final ObjectMapper JSON = new ObjectMapper();
    static final int VERSION = 1;

    private final Path path;

    PositionFile(Path path) {
        this.path = path;
    }

    Path path() {
        return path;
    }

    /**
     * The positions on disk; none when there is no file. A file that cannot be read or understood is
     * reported in one WARN line and taken as empty: the inbox's tail and then the replay buffer stand
     * in for it, and the next write replaces it.
     */
    Map<String, ChannelPosition> read() {
        byte[] bytes;
        try {
            bytes = Files.readAllBytes(path);
        } catch (NoSuchFileException e) {
            return Map.of();
        } catch (IOException e) {
            LOG.warn("Cannot read {} ({}); resuming from the inbox alone", path, e.toString());
            return Map.of();
        }
        try {
            return parse(bytes);
        } catch (IOException | RuntimeException e) {
            LOG.warn("Ignoring unreadable {} ({}); resuming from the inbox alone", path, e.getMessage());
            return Map.of();
        }
    }

    private static Map<String, ChannelPosition> parse(byte[] bytes) throws IOException {
        JsonNode root = JSON.readTree(bytes);
        if (root == null || !root.isObject() || root.path("version").asInt(-1) != VERSION
                || !root.path("channels").isObject()) {
            throw new IOException("not a version " + VERSION + " position file");
        }
        Map<String, ChannelPosition> positions = new LinkedHashMap<>();
        var fields = root.path("channels").fields();
        while (fields.hasNext()) {
            var entry = fields.next();
            JsonNode seq = entry.getValue().get("seq");
            JsonNode epoch = entry.getValue().get("epoch");
            if (!entry.getKey().startsWith("#") || seq == null || !seq.canConvertToLong() || epoch == null
                    || !epoch.isTextual()) {
                throw new IOException("bad entry for " + entry.getKey());
            }
            positions.put(entry.getKey(), new ChannelPosition(seq.asLong(), epoch.asText()));
        }
        return positions;
    }

    void write(Map<String, ChannelPosition> positions) throws IOException {
        ObjectNode root = JSON.createObjectNode();
        root.put("version", VERSION);
        ObjectNode channels = root.putObject("channels");
        positions.forEach((channel, at) -> channels.putObject(channel).put("seq", at.seq()).put("epoch", at.epoch()));
        AtomicFile.write(path, root.toString().getBytes(StandardCharsets.UTF_8));
    }
}
