package io.agentchat.server.cluster;

import java.util.List;

/**
 * The cluster's skill registrations (docs/cluster.md, "Marketplace"): one entry per agent, with
 * the registry's TTL, kept in Redis and published to every relay, so each relay searches a full
 * copy in its own memory as a relay alone does. Registrations are opaque strings the marketplace
 * encodes.
 */
public interface SkillBoard {

    /** Hears every registration, from every relay, on one thread of the board's, never on Redis's I/O thread. */
    @FunctionalInterface
    interface Listener {
        void registered(String registration);
    }

    /**
     * Starts hearing registrations, then returns every registration Redis still keeps (so none is
     * missed in between). Blocking.
     */
    List<String> listen(Listener listener);

    /**
     * Keeps {@code agent}'s registration for {@code ttlMillis}, replacing its earlier one, and
     * publishes it to every relay; false, with nothing kept, when the board holds {@code max}
     * other agents' registrations. Blocking: one Redis round trip.
     */
    boolean put(String agent, String registration, long ttlMillis, int max);
}
