package io.agentchat.server.market;

import io.agentchat.reputation.Rating;
import io.agentchat.server.cluster.RatingsLedger;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The cluster's one ratings ledger ({@link RatingsLedger}, in Redis), with this relay's
 * {@link RatingsStore} as its snapshot (docs/cluster.md, "Marketplace"): at start and at each
 * {@link #snapshot} the store puts back the entries the ledger lacks (Redis restarted empty) and
 * takes the whole ledger; it takes every settlement made here at once; with a data directory it
 * writes {@code ratings.json}. While Redis is away, ratings are read from the snapshot and
 * settlements move no rating.
 */
public final class SharedRatings implements Ratings {
    private static final Logger LOG = LoggerFactory.getLogger("agentchat.cluster");

    private final RatingsLedger ledger;
    private final RatingsStore local;
    private final int maxAgents;

    private SharedRatings(RatingsLedger ledger, RatingsStore local, int maxAgents) {
        this.ledger = ledger;
        this.local = local;
        this.maxAgents = maxAgents;
    }

    /** Puts back what the ledger lacks of {@code local}, then takes the ledger into {@code local}. */
    public static SharedRatings start(RatingsLedger ledger, RatingsStore local, int maxAgents) {
        SharedRatings shared = new SharedRatings(ledger, local, maxAgents);
        shared.snapshot();
        return shared;
    }

    @Override
    public Rating get(String agentRef) {
        try {
            String entry = ledger.get(agentRef);
            return entry == null ? Rating.NEW : decode(entry);
        } catch (RuntimeException e) {
            LOG.warn("cluster: rating of {} read from this relay's snapshot: {}", agentRef, e.toString());
            return local.get(agentRef);
        }
    }

    /** One round trip for all of them; from this relay's snapshot while Redis does not answer. */
    @Override
    public Map<String, Rating> getAll(Collection<String> agentRefs) {
        Map<String, String> entries;
        try {
            entries = ledger.getAll(agentRefs);
        } catch (RuntimeException e) {
            LOG.warn("cluster: ratings of {} agents read from this relay's snapshot: {}", agentRefs.size(), e.toString());
            return local.getAll(agentRefs);
        }
        Map<String, Rating> all = new HashMap<>();
        for (String agentRef : agentRefs) {
            String entry = entries.get(agentRef);
            all.put(agentRef, entry == null ? Rating.NEW : decode(entry));
        }
        return all;
    }

    @Override
    public boolean replace(Map<String, Rating> expected, Map<String, Rating> updates) {
        Map<String, String> was = new LinkedHashMap<>();
        expected.forEach((agent, rating) -> was.put(agent, rating.equals(Rating.NEW) ? "" : encode(rating)));
        Map<String, String> now = new LinkedHashMap<>();
        updates.forEach((agent, rating) -> now.put(agent, encode(rating)));
        long answer;
        try {
            answer = ledger.replace(was, now, maxAgents);
        } catch (RuntimeException e) {
            throw new IllegalStateException("the cluster's ratings ledger cannot be reached: " + e, e);
        }
        if (answer < 0) {
            throw new IllegalStateException("ratings ledger is full (" + maxAgents + " agents)");
        }
        if (answer == 1) {
            try {
                local.putAll(updates);
            } catch (IllegalStateException e) {
                LOG.warn("cluster: snapshot not updated: {}", e.getMessage());
            }
        }
        return answer == 1;
    }

    /**
     * Puts back the entries of this relay's store the ledger lacks (it lacks them only after Redis
     * restarted empty; an entry the ledger has is never overwritten), then takes the whole ledger
     * into the store (and its file). Logged and skipped while Redis is away.
     */
    public void snapshot() {
        try {
            Map<String, String> shared = ledger.all();
            Map<String, String> missing = new LinkedHashMap<>();
            local.snapshot().forEach((agent, rating) -> {
                if (!shared.containsKey(agent)) {
                    missing.put(agent, encode(rating));
                }
            });
            long filled = ledger.fill(missing, maxAgents);
            if (filled > 0) {
                LOG.info("cluster: {} ratings the ledger lacked put back from this relay's snapshot", filled);
            }
            Map<String, Rating> entries = new LinkedHashMap<>();
            shared.forEach((agent, entry) -> entries.put(agent, decode(entry)));
            local.mergeAll(entries);
        } catch (RuntimeException e) {
            LOG.warn("cluster: ratings snapshot skipped: {}", e.toString());
        }
    }

    /** {@code <rating> <transactions> <updated or ->}. */
    static String encode(Rating rating) {
        return rating.rating() + " " + rating.transactions() + " " + (rating.updated() == null ? "-" : rating.updated());
    }

    static Rating decode(String entry) {
        String[] parts = entry.split(" ", 3);
        return new Rating(Integer.parseInt(parts[0]), Integer.parseInt(parts[1]), "-".equals(parts[2]) ? null : parts[2]);
    }
}
