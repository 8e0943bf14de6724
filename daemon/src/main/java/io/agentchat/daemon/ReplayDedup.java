package io.agentchat.daemon;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * Remembers which MSG frames the inbox already holds, so that the channel history the server
 * replays on every (re)join is not stored twice.
 *
 * <p>A MSG is identified by {@code (from, ts, content)}: the reference server stamps {@code ts}
 * itself and relays the same values in the replay. Every stored MSG is remembered, live or
 * replayed; only frames marked {@code "replay":true} are ever suppressed, so a live message that
 * happens to repeat an old one is still written. Memory is bounded: the newest
 * {@code capacity} keys are kept as 128-bit digests (about 100 bytes each), and a replayed frame
 * older than that window would be written again, which can only happen when the server replays
 * more history than the window holds. Not thread-safe: the inbox writer thread owns it.
 */
final class ReplayDedup {

    private final Map<String, Boolean> keys;
    private final MessageDigest digest;

    ReplayDedup(int capacity) {
        if (capacity < 1) {
            throw new IllegalArgumentException("capacity must be positive: " + capacity);
        }
        this.keys = new LinkedHashMap<>(Math.min(capacity, 4096) * 2, 0.75f, false) {
            private static final long serialVersionUID = 1L;

            @Override
            protected boolean removeEldestEntry(Map.Entry<String, Boolean> eldest) {
                return size() > capacity;
            }
        };
        try {
            this.digest = MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is mandatory in every JRE", e);
        }
    }

    /**
     * Decides whether {@code frame} goes into the inbox, and remembers it if it is a MSG.
     *
     * @return false only for a {@code replay:true} MSG whose key is already stored
     */
    boolean admit(JsonNode frame) {
        Optional<String> key = key(frame);
        if (key.isEmpty()) {
            return true;
        }
        boolean replay = frame.path("replay").asBoolean(false);
        if (replay && keys.containsKey(key.get())) {
            return false;
        }
        keys.put(key.get(), Boolean.TRUE);
        return true;
    }

    /** Records a frame already on disk (seeding from the inbox tail at start). */
    void remember(JsonNode frame) {
        key(frame).ifPresent(k -> keys.put(k, Boolean.TRUE));
    }

    int size() {
        return keys.size();
    }

    private Optional<String> key(JsonNode frame) {
        if (frame == null || !"MSG".equals(frame.path("type").asText(null))) {
            return Optional.empty();
        }
        JsonNode from = frame.get("from");
        JsonNode ts = frame.get("ts");
        JsonNode content = frame.get("content");
        if (from == null || ts == null || content == null) {
            return Optional.empty();
        }
        String material = from.asText() + '\u0000' + ts.asText() + '\u0000' + content.asText();
        byte[] hash = digest.digest(material.getBytes(StandardCharsets.UTF_8));
        return Optional.of(HexFormat.of().formatHex(hash, 0, 16));
    }
}
