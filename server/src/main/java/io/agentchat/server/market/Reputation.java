package io.agentchat.server.market;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.agentchat.protocol.ErrorCode;
import io.agentchat.protocol.ProtocolException;
import io.agentchat.reputation.Elo;
import io.agentchat.reputation.Elo.Delta;
import io.agentchat.reputation.Elo.Party;
import io.agentchat.json.IsoTime;
import io.agentchat.reputation.Rating;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.BiFunction;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Ratings plus the ELO stakes held in escrow (docs/protocol.md §9.2, §9.3). Not thread-safe on its own:
 * the {@link ProposalBook} calls it under its lock, which is what makes "check the stake, then
 * reserve it" one step.
 */
final class Reputation {
    private static final Logger LOG = LoggerFactory.getLogger(Reputation.class);

    /** Stakes locked by one accepted proposal. */
    record Escrow(String proposer, int proposerStake, String acceptor, int acceptorStake, long createdAt,
                  long expiresAt) {
    }

    /** Settlements computed from entries another settlement changed meanwhile are computed again, this many times. */
    private static final int ATTEMPTS = 5;
    private final Ratings store;
    private final Map<String, Escrow> escrows = new LinkedHashMap<>();

    Reputation(Ratings store) {
        this.store = store;
    }

    Rating rating(String agent) {
        return store.get(agent);
    }

    /** What the agent may still stake: rating minus active stakes minus the floor. */
    int available(String agent) {
        long committed = 0;
        for (Escrow e : escrows.values()) {
            if (e.proposer().equals(agent)) {
                committed += e.proposerStake();
            }
            if (e.acceptor().equals(agent)) {
                committed += e.acceptorStake();
            }
        }
        return Elo.available(store.get(agent).rating(), committed);
    }

    /** INSUFFICIENT_REPUTATION with the reference's text when {@code stake} exceeds what is available. */
    void checkStake(String agent, int stake, String prefix) {
        if (stake <= 0) {
            return;
        }
        int available = available(agent);
        if (stake > available) {
            throw new ProtocolException(ErrorCode.INSUFFICIENT_REPUTATION,
                    prefix + "Insufficient ELO. Available: " + available + ", Requested: " + stake);
        }
    }

    void lock(String proposalId, Escrow escrow) {
        escrows.put(proposalId, escrow);
    }

    /** Releases an escrow without moving ratings (the accepted deadline passed). */
    boolean release(String proposalId) {
        return escrows.remove(proposalId) != null;
    }

    /** COMPLETE: both gain, stakes are returned. Returns {@code rating_changes}, or null if the store refused. */
    ObjectNode settleCompletion(Proposal p, long now) {
        Escrow escrow = escrows.remove(p.id);
        ObjectNode changes = apply(p, (from, to) -> Elo.completion(party(from), party(to), p.amount), now);
        if (changes != null && escrow != null) {
            ObjectNode e = changes.putObject("_escrow");
            e.put("proposer_stake", escrow.proposerStake());
            e.put("acceptor_stake", escrow.acceptorStake());
            e.put("settlement", "returned");
        }
        return changes;
    }

    /**
     * DISPUTE: the disputer wins and takes the other side's stake. The original's rule, a known risk,
     * kept so ratings agree with it.
     */
    ObjectNode settleDispute(Proposal p, String disputer, long now) {
        Escrow escrow = escrows.remove(p.id);
        boolean proposerDisputed = p.from.equals(disputer);
        int proposerStake = escrow == null ? 0 : escrow.proposerStake();
        int acceptorStake = escrow == null ? 0 : escrow.acceptorStake();
        int loserStake = proposerDisputed ? acceptorStake : proposerStake;
        ObjectNode changes = apply(p,
                (from, to) -> Elo.dispute(party(from), party(to), proposerDisputed, p.amount, loserStake), now);
        if (changes != null) {
            ObjectNode e = changes.putObject("_escrow");
            e.put("proposer_stake", proposerStake);
            e.put("acceptor_stake", acceptorStake);
            e.put("settlement", "transferred");
            e.put("transferred_to", disputer);
            e.put("transferred_amount", loserStake);
        }
        return changes;
    }

    /**
     * Reads both entries, settles them, and writes both only if neither changed meanwhile (in a
     * cluster another relay may settle a proposal of the same agent at the same moment).
     */
    private ObjectNode apply(Proposal p, BiFunction<Rating, Rating, Elo.Outcome> settle, long now) {
        String updated = IsoTime.format(now);
        try {
            for (int attempt = 0; attempt < ATTEMPTS; attempt++) {
                Rating from = store.get(p.from);
                Rating to = store.get(p.to);
                Elo.Outcome outcome = settle.apply(from, to);
                Rating newFrom = new Rating(outcome.proposer().newRating(), from.transactions() + 1, updated);
                Rating newTo = new Rating(outcome.acceptor().newRating(), to.transactions() + 1, updated);
                Map<String, Rating> expected = new LinkedHashMap<>();
                expected.put(p.from, from);
                expected.put(p.to, to);
                Map<String, Rating> updates = new LinkedHashMap<>();
                updates.put(p.from, newFrom);
                updates.put(p.to, newTo);
                if (store.replace(expected, updates)) {
                    ObjectNode changes = JsonNodeFactory.instance.objectNode();
                    entry(changes, p.from, outcome.proposer(), newFrom.transactions());
                    entry(changes, p.to, outcome.acceptor(), newTo.transactions());
                    return changes;
                }
            }
            LOG.error("rating update for proposal={} lost {} races in a row; not applied", p.id, ATTEMPTS);
        } catch (IllegalStateException e) {
            // As the reference does when its update fails: the transition stands, rating_changes is null.
            LOG.error("rating update refused for proposal={}: {}", p.id, e.getMessage());
        }
        return null;
    }

    private static void entry(ObjectNode changes, String agent, Delta delta, int transactions) {
        ObjectNode e = changes.putObject(agent);
        e.put("oldRating", delta.oldRating());
        e.put("newRating", delta.newRating());
        e.put("change", delta.change());
        e.put("transactions", transactions);
    }

    private static Party party(Rating r) {
        return new Party(r.rating(), r.transactions());
    }
}
