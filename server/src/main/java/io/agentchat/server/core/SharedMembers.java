package io.agentchat.server.core;

import io.agentchat.server.cluster.Roster;
import io.agentchat.server.cluster.RosterChange;
import io.agentchat.server.cluster.RosterEntry;
import io.agentchat.server.cluster.RosterView;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A shared channel's members on the other relays, as this relay knows them, and the writes of its
 * own members' changes to the cluster's {@link Roster}. Guarded by its {@link Channel}'s lock.
 *
 * <p>Changes come from Pub/Sub, numbered by Redis ({@code version} within {@code epoch}); the
 * periodic read of the whole roster corrects what Pub/Sub lost. A read older than the changes
 * already applied is skipped, and a change already in a read is not applied twice, as
 * {@link ClusterLog} does for messages. When the roster starts a new epoch (Redis restarted empty),
 * every relay writes its members again within one beat; until a heartbeat's lifetime has passed,
 * a read does not take anyone away, so members are not told that everyone left and came back.
 */
final class SharedMembers {
    /** What a change of the other relays' members means to this relay's readers. */
    enum Kind { JOINED, LEFT, PRESENCE }

    record Change(Kind kind, RosterEntry entry) {
    }

    private final Roster roster;
    private final String channel;
    private final long graceMillis;
    private final Map<String, RosterEntry> remote = new LinkedHashMap<>();
    private String epoch = "";
    private long version;
    private long graceUntil;

    SharedMembers(Roster roster, String channel) {
        this.roster = roster;
        this.channel = channel;
        this.graceMillis = roster.relayTtl().toMillis();
    }

    /** The members on other relays, in the order this relay heard of them. */
    Collection<RosterEntry> remote() {
        return remote.values();
    }

    /** The members on other relays whose id is not also one of {@code local}'s (this relay's own session is shown). */
    List<RosterEntry> remoteExcept(List<AgentSession> local) {
        Set<String> here = new HashSet<>();
        local.forEach(member -> here.add(member.id()));
        List<RosterEntry> others = new ArrayList<>(remote.size());
        for (RosterEntry entry : remote.values()) {
            if (!here.contains(entry.id())) {
                others.add(entry);
            }
        }
        return others;
    }

    /** This channel is new to the relay: its members on the other relays are read now, and kept from then on. */
    void track() {
        roster.track(channel);
    }

    void joined(AgentSession session) {
        roster.put(channel, entry(session));
    }

    void presenceChanged(AgentSession session) {
        roster.update(channel, entry(session));
    }

    void left(AgentSession session) {
        roster.remove(channel, session.id(), session.clusterToken());
    }

    private RosterEntry entry(AgentSession session) {
        return new RosterEntry(session.id(), session.name(), session.presence(), session.statusText(), roster.relayId(),
                session.clusterToken());
    }

    /** A change any relay made, this one's included; returns what it changes here (null: nothing). */
    Change apply(RosterChange change, long now) {
        if (!epoch.equals(change.epoch())) {
            newEpoch(change.epoch(), now);
        } else if (change.version() <= version) {
            return null; // already in a read
        }
        version = change.version();
        if (change.put() != null) {
            return put(change.put());
        }
        RosterEntry gone = remote.remove(change.removedId());
        return gone == null ? null : new Change(Kind.LEFT, gone);
    }

    /**
     * The whole roster as read from Redis; returns what it changes here. {@code local} are this
     * relay's visible members: those missing from the roster are written again (Redis lost them,
     * or their join did not reach it), those shown with an old presence are written again, and
     * entries this relay holds for sessions it no longer has are taken out.
     */
    List<Change> apply(RosterView view, long now, List<AgentSession> local) {
        List<Change> changes = new ArrayList<>();
        Set<String> listed = new HashSet<>();
        for (RosterEntry entry : view.entries()) {
            listed.add(entry.id());
        }
        for (AgentSession session : local) {
            if (!listed.contains(session.id())) {
                joined(session);
            }
        }
        Map<String, AgentSession> localById = new HashMap<>();
        local.forEach(session -> localById.put(session.id(), session));
        for (RosterEntry entry : view.entries()) {
            if (roster.relayId().equals(entry.relay())) {
                AgentSession holder = localById.get(entry.id());
                if (holder == null || !holder.clusterToken().equals(entry.session())) {
                    roster.remove(channel, entry.id(), entry.session());
                } else if (entry(holder).looksDifferentFrom(entry)) {
                    presenceChanged(holder); // a presence change that did not reach Redis, or came before the join
                }
            }
        }
        if (epoch.equals(view.epoch()) && view.version() < version) {
            return changes; // the changes heard since are newer than this read
        }
        if (!epoch.equals(view.epoch())) {
            newEpoch(view.epoch(), now);
        }
        version = view.version();
        if (now >= graceUntil) {
            for (RosterEntry known : List.copyOf(remote.values())) {
                if (!listed.contains(known.id())) {
                    remote.remove(known.id());
                    changes.add(new Change(Kind.LEFT, known));
                }
            }
        }
        for (RosterEntry entry : view.entries()) {
            Change change = put(entry);
            if (change != null) {
                changes.add(change);
            }
        }
        return changes;
    }

    private void newEpoch(String next, long now) {
        epoch = next;
        version = 0;
        graceUntil = now + graceMillis;
    }

    /** An entry added or changed; this relay's own members are its readers, not kept here. */
    private Change put(RosterEntry entry) {
        if (roster.relayId().equals(entry.relay())) {
            remote.remove(entry.id()); // the id moved here
            return null;
        }
        RosterEntry known = remote.put(entry.id(), entry);
        if (known == null) {
            return new Change(Kind.JOINED, entry);
        }
        return known.looksDifferentFrom(entry) ? new Change(Kind.PRESENCE, entry) : null;
    }
}
