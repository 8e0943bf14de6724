package io.agentchat.server.cluster;

import java.time.Duration;
import java.util.Collection;

/**
 * The members of the shared channels, kept for the whole cluster (docs/cluster.md, "Presence"):
 * each relay writes its own members' joins, presence changes and leaves, hears every relay's, and
 * every few seconds reads each channel whole, after removing the members of relays whose heartbeat
 * has lapsed. The writes never block; what they cause reaches every relay, this one included,
 * through the {@link Listener}.
 */
public interface Roster {

    /**
     * Hears the members' changes: {@link #changed} on the Pub/Sub thread, {@link #read} on the
     * roster's own (or, once, on the thread that called {@link #track}).
     */
    interface Listener {
        void changed(String channel, RosterChange change);

        void read(String channel, RosterView view);
    }

    /** This relay's id in the cluster, new at each start. */
    String relayId();

    /** How long a relay's heartbeat lives: a relay silent for longer is gone, and its members with it. */
    Duration relayTtl();

    /**
     * Starts the heartbeat and hearing the changes of {@code channels}; returns after the first beat
     * and the first read of every channel (a failure there is logged, and the next beat tries again).
     */
    void start(Collection<String> channels, Listener listener);

    /**
     * Starts keeping a channel's members too (a created channel this relay has begun to use): reads
     * it once before returning, so its first reader here sees every relay's members.
     */
    void track(String channel);

    /** Keeps reading only these channels: the others are no longer used here. */
    void retain(Collection<String> channels);

    /** A member joined here: its entry replaces any other of the same id. */
    void put(String channel, RosterEntry entry);

    /** A member's presence changed here: written only if the entry is still this session's. */
    void update(String channel, RosterEntry entry);

    /** A member left here: removed only if the entry is still this session's. */
    void remove(String channel, String id, String session);

    ClusterStatus status();
}
