package io.agentchat.server.core;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.function.Consumer;
import java.util.Set;

/**
 * One channel: members in join order, unseen readers, invite set, replay buffer. Every method
 * that reads or changes membership runs under the channel's own lock, and frames for members are
 * handed out while that lock is held, so each member sees the channel's frames in one order.
 *
 * <p>An unseen reader is a key-based session that has not proved its key: it receives the
 * channel's frames and may post freshly signed messages, but it is not a member others can see
 * (member lists, counts, join and leave notices), since it has not shown the id is its own.
 */
public final class Channel {
    private final String name;
    private final boolean inviteOnly;
    private final String creatorId;
    private final String creatorAddress;
    private final boolean permanent;
    private final long sequence;
    private final LinkedHashSet<AgentSession> members = new LinkedHashSet<>();
    private final Set<AgentSession> unseenReaders = new HashSet<>();
    private final Set<String> invited = new HashSet<>();
    private final ReplayBuffer replay;
    private final int maxInvites;
    private long lastActivity;
    private boolean reclaimed;
    private long emptySince;

    Channel(String name, boolean inviteOnly, String creatorId, String creatorAddress, boolean permanent, long sequence, int bufferSize,
            int maxInvites, long now) {
        this.name = name;
        this.inviteOnly = inviteOnly;
        this.creatorId = creatorId;
        this.creatorAddress = creatorAddress;
        this.permanent = permanent;
        this.sequence = sequence;
        this.replay = new ReplayBuffer(bufferSize);
        this.maxInvites = maxInvites;
        this.lastActivity = now;
        this.emptySince = now;
    }

    public String name() {
        return name;
    }

    /**
     * How the log names this channel: a private channel's name can say what it is about, so it is
     * never logged; its creation number still ties the create, invite and join lines together.
     */
    String logName() {
        return inviteOnly ? "private-" + sequence : name;
    }

    public boolean inviteOnly() {
        return inviteOnly;
    }

    String creatorId() {
        return creatorId;
    }

    String creatorAddress() {
        return creatorAddress;
    }

    boolean permanent() {
        return permanent;
    }

    long sequence() {
        return sequence;
    }

    synchronized int size() {
        return members.size();
    }

    synchronized boolean isMember(AgentSession session) {
        return members.contains(session);
    }

    /** Adds the member; false if it already was one (JOIN is idempotent, Q14). */
    synchronized boolean add(AgentSession session, long now) {
        lastActivity = now;
        return members.add(session);
    }

    synchronized boolean remove(AgentSession session, long now) {
        boolean removed = members.remove(session);
        if (removed && isEmpty()) {
            emptySince = now;
        }
        return removed;
    }

    /** Adds an unseen reader; false if it already was one. */
    synchronized boolean addUnseen(AgentSession session, long now) {
        lastActivity = now;
        return unseenReaders.add(session);
    }

    synchronized boolean removeUnseen(AgentSession session, long now) {
        boolean removed = unseenReaders.remove(session);
        if (removed && isEmpty()) {
            emptySince = now;
        }
        return removed;
    }

    synchronized boolean isUnseen(AgentSession session) {
        return unseenReaders.contains(session);
    }

    /** Members and unseen readers: what the member cap bounds. */
    synchronized int occupancy() {
        return members.size() + unseenReaders.size();
    }

    /** Whether the session receives this channel's messages and may post to it. */
    synchronized boolean isReader(AgentSession session) {
        return members.contains(session) || unseenReaders.contains(session);
    }

    private boolean isEmpty() {
        return members.isEmpty() && unseenReaders.isEmpty();
    }

    synchronized List<AgentSession> members() {
        return new ArrayList<>(members);
    }

    /** Hands something to every member and unseen reader without copying the sets (the fan-out hot path). */
    synchronized void forEachReader(Consumer<AgentSession> action) {
        members.forEach(action);
        unseenReaders.forEach(action);
    }

    synchronized boolean isInvited(String agentId) {
        return invited.contains(agentId);
    }

    /** Records an invite; false when the channel's invite list is full. */
    synchronized boolean invite(String agentId) {
        if (invited.contains(agentId)) {
            return true;
        }
        if (invited.size() >= maxInvites) {
            return false;
        }
        return invited.add(agentId);
    }

    synchronized void buffer(String replayFrame, long now) {
        lastActivity = now;
        replay.add(replayFrame);
    }

    synchronized List<String> replay() {
        return replay.snapshot();
    }

    /** Marks the channel gone if it has been empty for the grace period; checked and set under one lock. */
    synchronized boolean reclaimIfIdle(long now, long graceMillis) {
        if (!permanent && isEmpty() && now - emptySince >= graceMillis) {
            reclaimed = true;
        }
        return reclaimed;
    }

    /** True once reclaimed: a JOIN or message that found the channel just before must not use it. */
    synchronized boolean reclaimed() {
        return reclaimed;
    }

    synchronized long lastActivity() {
        return lastActivity;
    }

    synchronized void touch(long now) {
        lastActivity = now;
    }
}
