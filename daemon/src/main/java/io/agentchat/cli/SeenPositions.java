package io.agentchat.cli;

import io.agentchat.protocol.ChannelPosition;
import io.agentchat.protocol.ServerFrame;
import java.util.HashMap;
import java.util.Map;

/**
 * The last message {@code listen} has seen in each channel, so that after a move to another relay it
 * rejoins after it ({@code since}/{@code epoch}) and never prints a message twice. Not thread-safe:
 * the caller holds its print lock.
 */
final class SeenPositions {
    private final Map<String, ChannelPosition> last = new HashMap<>();

    /**
     * Records {@code msg} as seen; false if its channel already had it (same epoch, seq not after
     * the last). A DM, or a message without a position, is always new.
     */
    boolean advance(ServerFrame.Msg msg) {
        ChannelPosition position = ChannelPosition.of(msg);
        if (position == null || msg.to() == null || !msg.to().startsWith("#")) {
            return true;
        }
        ChannelPosition before = last.get(msg.to());
        if (before != null && !before.isBefore(msg)) {
            return false;
        }
        last.put(msg.to(), position);
        return true;
    }

    /** The channel's last message seen, or null. */
    ChannelPosition of(String channel) {
        return last.get(channel);
    }
}
