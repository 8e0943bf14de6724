package io.agentchat.server.core;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * Who reads one channel: its visible members in join order, its unseen readers, and since when
 * it has had neither. Not thread-safe: like {@link ReplayBuffer}, it is guarded by its
 * {@link Channel}'s lock, which is held for every call.
 */
final class ChannelReaders {
    private final LinkedHashSet<AgentSession> members = new LinkedHashSet<>();
    private final Set<AgentSession> unseen = new HashSet<>();
    private long emptySince;
    private boolean everRead;

    ChannelReaders(long now) {
        this.emptySince = now;
    }

    boolean isMember(AgentSession session) {
        return members.contains(session);
    }

    /** Whether the session receives the channel's messages and may post to it. */
    boolean isReader(AgentSession session) {
        return members.contains(session) || unseen.contains(session);
    }

    int memberCount() {
        return members.size();
    }

    /** Members and unseen readers: what the member cap bounds. */
    int occupancy() {
        return members.size() + unseen.size();
    }

    /** Whether nobody has read the channel for at least {@code millis}. */
    boolean emptyFor(long now, long millis) {
        return isEmpty() && now - emptySince >= millis;
    }

    private boolean isEmpty() {
        return members.isEmpty() && unseen.isEmpty();
    }

    List<AgentSession> members() {
        return new ArrayList<>(members);
    }

    /** Removes every reader, returning them: members first. */
    List<AgentSession> removeAll(long now) {
        List<AgentSession> all = new ArrayList<>(members);
        all.addAll(unseen);
        members.clear();
        unseen.clear();
        if (!all.isEmpty()) {
            emptySince = now;
        }
        return all;
    }

    /** Whether anyone has read the channel here since it was made. */
    boolean everRead() {
        return everRead;
    }

    void add(AgentSession session, boolean visible) {
        everRead = true;
        if (visible) {
            members.add(session);
        } else {
            unseen.add(session);
        }
    }

    boolean removeMember(AgentSession session, long now) {
        return emptiedBy(members.remove(session), now);
    }

    boolean removeUnseen(AgentSession session, long now) {
        return emptiedBy(unseen.remove(session), now);
    }

    private boolean emptiedBy(boolean removed, long now) {
        if (removed && isEmpty()) {
            emptySince = now;
        }
        return removed;
    }

    /** Members first, then unseen readers, without copying the sets (the fan-out hot path). */
    void sendToAll(String text) {
        members.forEach(reader -> reader.send(text));
        unseen.forEach(reader -> reader.send(text));
    }

    void sendToAllBut(AgentSession self, String text) {
        members.forEach(reader -> {
            if (reader != self) {
                reader.send(text);
            }
        });
        unseen.forEach(reader -> {
            if (reader != self) {
                reader.send(text);
            }
        });
    }
}
