package io.agentchat.server.cluster;

import java.util.List;

/**
 * A shared channel's members as read from Redis at {@code version} of {@code epoch} (an empty epoch:
 * Redis holds no members for it). Every {@link RosterChange} up to that version is in it.
 */
public record RosterView(String epoch, long version, List<RosterEntry> entries) {
    public RosterView {
        entries = List.copyOf(entries);
    }
}
