package io.agentchat.server.market;

import io.agentchat.reputation.Rating;
import io.agentchat.server.cluster.RatingsLedger;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The cluster's one ratings ledger ({@link RatingsLedger}, in Redis), with this relay's
 * {@link RatingsStore} as its snapshot (docs/cluster.md, "Marketplace"): at start and at each
 * {@link #snapshot} the store puts back the entries the ledger lacks (Redis restarted empty) and
 * takes the whole ledger; it takes every settlement made here at once; with a data directory it
 * writes {@code ratings.json}. It also takes every change published by the ledger, on whichever
 * relay it was made, so skill searches rank from the snapshot and cost Redis nothing (before, each
 * search read the rating of every agent it matched: one HMGET of up to 10,000 fields). While Redis is
 * away, ratings are read from the snapshot and settlements move no rating.
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
     * Starts hearing the ledger's changes, then puts back what the ledger lacks of {@code local} and
     * takes the ledger into {@code local} (so no change made in between is missed).
     */
    public static SharedRatings start(RatingsLedger ledger, RatingsStore local, int maxAgents) {
        SharedRatings shared = new SharedRatings(ledger, local, maxAgents);
        try {
            ledger.listen(new RatingsLedger.Listener() {
                @Override
                public void changed(Map<String, String> entries) {
                    shared.heard(entries);
                }

                @Override
                public void resubscribed() {
                    shared.snapshot();
                }
            });
        } catch (RuntimeException e) {
            // As a snapshot is: the relay starts, and Redis coming back subscribes it again.
            LOG.warn("cluster: ratings changes not heard: {}", e.toString());
        }
        shared.snapshot();
        return shared;
    }

    /** A settlement's entries, from whichever relay made it. */
    private void heard(Map<String, String> entries) {
        Map<String, Rating> decoded = new LinkedHashMap<>();
        entries.forEach((agent, entry) -> decoded.put(agent, decode(entry)));
        local.mergeAll(decoded);
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

    /**
     * From this relay's snapshot, never from Redis: a skill search rates every agent it matches, and
     * anyone may search. The snapshot has every settlement of this relay at once, another relay's as
     * soon as its published change is heard, and the whole ledger at each {@link #snapshot}.
     */
    @Override
    public Map<String, Rating> getAll(Collection<String> agentRefs) {
        return local.getAll(agentRefs);
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
