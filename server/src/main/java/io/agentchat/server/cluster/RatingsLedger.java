package io.agentchat.server.cluster;

import java.util.Collection;
import java.util.Map;

/**
 * The cluster's one ratings ledger (docs/cluster.md, "Marketplace"): each agent's entry as an
 * opaque string the marketplace encodes, changed only by a compare-and-set over the entries a
 * settlement was computed from. Every call is blocking: one Redis round trip.
 */
public interface RatingsLedger {
    /** The agent's entry, or null when it has none. */
    String get(String agentRef);

    /** The entries of those of {@code agentRefs} that have one, in one round trip. */
    Map<String, String> getAll(Collection<String> agentRefs);

    /**
     * Sets {@code updates} if every entry is still as in {@code expected} ("" for none).
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
