package io.agentchat.daemon;

import com.fasterxml.jackson.databind.JsonNode;
import io.agentchat.protocol.ChannelPosition;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Per channel, where the inbox stands: the {@code seq} and {@code epoch} of the last channel message
 * written to it (docs/daemon-files.md, "Resume after a reconnect or restart"). The server numbers
 * each channel's messages within an epoch, so a message of the same epoch at or below that seq is
 * one the inbox already has, whether it comes back recovered, replayed or from the old connection's
 * last frames; and the link rejoins from here to get exactly what followed.
 *
 * <p>The inbox writer thread is the only one that changes it ({@link #advance}), after the line is
 * written; the link thread reads single positions when it joins ({@link #get}). A stale read only
 * makes the server send a few messages again, which {@link #covers} then keeps out.
 */
final class ChannelPositions {

    private final Map<String, ChannelPosition> positions = new ConcurrentHashMap<>();

    /** Where {@code channel} stands in the inbox, or null when it holds none of its numbered messages. */
    ChannelPosition get(String channel) {
        return positions.get(channel);
    }

    /** True for a channel MSG the inbox already has: same epoch, seq at or below the remembered one. */
    boolean covers(JsonNode frame) {
        ChannelPosition at = positionOf(frame);
        if (at == null) {
            return false;
        }
        ChannelPosition known = positions.get(frame.path("to").asText());
        return known != null && known.epoch().equals(at.epoch()) && at.seq() <= known.seq();
    }

    /**
     * Records that the inbox holds {@code frame}. A later seq of the same epoch moves the channel
     * forward; another epoch replaces it, since a new epoch means the server's history started over.
     *
     * @return whether the channel's position changed
     */
    boolean advance(JsonNode frame) {
        ChannelPosition at = positionOf(frame);
        return at != null && raise(frame.path("to").asText(), at);
    }

    /** {@link #advance} for a position read back from disk; the same rule. */
    boolean raise(String channel, ChannelPosition at) {
        Objects.requireNonNull(at, "at");
        ChannelPosition known = positions.get(channel);
        if (known != null && known.epoch().equals(at.epoch()) && at.seq() <= known.seq()) {
            return false;
        }
        positions.put(channel, at);
        return true;
    }

    /** A copy, sorted by channel, for the state file. */
    Map<String, ChannelPosition> snapshot() {
        return new TreeMap<>(positions);
    }

    int size() {
        return positions.size();
    }

    /** The place of a channel MSG in its channel's history, or null (a DM, or a server without seqs). */
    static ChannelPosition positionOf(JsonNode frame) {
        if (frame == null || !"MSG".equals(frame.path("type").asText(null))
                || !frame.path("to").asText("").startsWith("#")) {
            return null;
        }
        JsonNode seq = frame.get("seq");
        JsonNode epoch = frame.get("epoch");
        if (seq == null || !seq.canConvertToLong() || seq.asLong() < 0 || epoch == null || !epoch.isTextual()) {
            return null;
        }
        return new ChannelPosition(seq.asLong(), epoch.asText());
    }
}
