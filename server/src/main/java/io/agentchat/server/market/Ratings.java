package io.agentchat.server.market;

import io.agentchat.reputation.Rating;
import java.util.Collection;
import java.util.HashMap;
import java.util.Map;

/**
 * The ratings ledger as the marketplace reads and changes it: this relay's {@link RatingsStore}
 * when it runs alone, the cluster's one ledger otherwise ({@link SharedRatings}).
 */
public interface Ratings {
    /** The agent's entry, or {@link Rating#NEW} for an agent with no history. */
    Rating get(String agentRef);

    /**
     * The entries of {@code agentRefs} ({@link Rating#NEW} for none), to rank a skill search: it
     * rates every agent it found, so in a cluster they come from the relay's snapshot of the ledger.
     */
    default Map<String, Rating> getAll(Collection<String> agentRefs) {
        Map<String, Rating> all = new HashMap<>();
        for (String agentRef : agentRefs) {
            all.put(agentRef, get(agentRef));
        }
        return all;
    }

    /**
     * Sets {@code updates} if every agent's entry is still the one in {@code expected} (a settlement
     * computed from entries another settlement changed meanwhile must be computed again).
     *
     * @return false when an entry changed meanwhile
     * @throws IllegalStateException if the new agents would exceed the ledger's bound, or it cannot be reached
     */
    boolean replace(Map<String, Rating> expected, Map<String, Rating> updates);
}
