package io.agentchat.server.cluster;

import java.util.Map;

/**
 * The cluster's one ratings ledger (docs/cluster.md, "Marketplace"): each agent's entry as an
 * opaque string the marketplace encodes, changed only by a compare-and-set over the entries a
 * settlement was computed from, and each change published to every relay, so a relay keeps a copy
 * to rank skill searches from without reading Redis. Every call is blocking: one Redis round trip.
 */
public interface RatingsLedger {
    /** Hears the ledger's changes, on one thread of the ledger's, in the order Redis made them. */
    interface Listener {
        /** The entries one settlement set, on whichever relay. */
        void changed(Map<String, String> entries);

        /** The subscription came back after Redis was away: what changed meanwhile was not heard. */
        void resubscribed();
    }

    /** Starts hearing every change, on every relay, made after this returns. Blocking. */
    void listen(Listener listener);

    /** The agent's entry, or null when it has none. */
    String get(String agentRef);

    /**
     * Sets {@code updates} if every entry is still as in {@code expected} ("" for none), and publishes
     * them to every relay's {@link Listener}.
     *
     * @return 1 when set, 0 when an entry changed meanwhile, -1 when the new agents would take the
     *         ledger past {@code maxAgents} (nothing is set then)
     */
    long replace(Map<String, String> expected, Map<String, String> updates, int maxAgents);

    /** Every entry, for a relay's snapshot file. */
    Map<String, String> all();

    /**
     * Sets the {@code entries} the ledger has no entry for (Redis restarted empty: the relays'
     * snapshots put them back), never past {@code maxAgents}; returns how many it set.
     */
    long fill(Map<String, String> entries, int maxAgents);
}
