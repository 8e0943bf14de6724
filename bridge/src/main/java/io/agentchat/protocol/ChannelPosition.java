package io.agentchat.protocol;

import java.util.Objects;

/**
 * Where a channel's history stands for one reader (our extension, docs/protocol.md): the {@code seq}
 * of the last channel message seen and the {@code epoch} of the history it belongs to. Seqs of
 * two epochs say nothing about each other.
 */
public record ChannelPosition(long seq, String epoch) {
    public ChannelPosition {
        Objects.requireNonNull(epoch, "epoch");
        if (seq < 0) {
            throw new IllegalArgumentException("seq must not be negative: " + seq);
        }
    }

    /** The position of a channel message, or null if it carries none (a DM, or a server without seqs). */
    public static ChannelPosition of(ServerFrame.Msg msg) {
        return msg.hasPosition() ? new ChannelPosition(msg.seq(), msg.epoch()) : null;
    }

    /** Whether {@code msg} comes after this position in the same history (true for another epoch). */
    public boolean isBefore(ServerFrame.Msg msg) {
        return !msg.hasPosition() || !epoch.equals(msg.epoch()) || msg.seq() > seq;
    }
}
