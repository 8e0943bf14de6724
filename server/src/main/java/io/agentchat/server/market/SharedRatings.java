package io.agentchat.server.market;

import io.agentchat.reputation.Rating;
import io.agentchat.server.cluster.RatingsLedger;
import java.util.LinkedHashMap;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The cluster's one ratings ledger ({@link RatingsLedger}, in Redis), with this relay's
 * {@link RatingsStore} as its snapshot (docs/cluster.md, "Marketplace"): the store seeds an empty
 * ledger at start, takes every settlement made here at once, and a copy of the whole ledger at
 * each {@link #snapshot}; with a data directory the store writes it to {@code ratings.json}. While
 * Redis is away, ratings are read from the snapshot and settlements move no rating.
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

    /**
     * Seeds the ledger from {@code local} if the ledger has no entry (a new cluster, or Redis
     * restarted empty), then takes the ledger's entries into {@code local}.
     */
    public static SharedRatings start(RatingsLedger ledger, RatingsStore local, int maxAgents) {
        SharedRatings shared = new SharedRatings(ledger, local, maxAgents);
        try {
            Map<String, String> entries = new LinkedHashMap<>();
            local.snapshot().forEach((agent, rating) -> entries.put(agent, encode(rating)));
            if (ledger.seed(entries)) {
                LOG.info("cluster: ratings ledger seeded from this relay's {} entries", entries.size());
            }
        } catch (RuntimeException e) {
            LOG.warn("cluster: ratings ledger not seeded: {}", e.toString());
        }
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

    /** Copies the whole ledger into this relay's store (and its file); logged and skipped while Redis is away. */
    public void snapshot() {
        try {
            Map<String, Rating> entries = new LinkedHashMap<>();
            ledger.all().forEach((agent, entry) -> entries.put(agent, decode(entry)));
            if (!entries.isEmpty()) {
                local.replaceAll(entries);
            }
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
