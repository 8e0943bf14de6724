package io.agentchat.server.market;

import static io.agentchat.protocol.ProtocolException.invalid;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.DoubleNode;
import com.fasterxml.jackson.databind.node.LongNode;
import io.agentchat.protocol.ClientFrame;
import io.agentchat.protocol.ErrorCode;
import io.agentchat.protocol.ProtocolException;
import io.agentchat.protocol.ServerFrame;
import io.agentchat.server.market.Reputation.Escrow;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * The proposal state machine of docs/protocol.md §9.1 with the reference's error codes and message
 * tokens, plus the bounds and deadlines it lacks: a default expiry for pending proposals, a
 * deadline for accepted ones that releases their escrow, and caps on pending proposals per
 * agent and in all. Every method holds this object's lock, so stake checks, escrow reservations
 * and rating updates of concurrent requests cannot interleave.
 *
 * <p>The caps on one recipient's inbox are per sender and per sender's address, never a total:
 * keys cost nothing, so a total per recipient lets a handful of throwaway keys fill the victim's
 * inbox and refuse every genuine proposal until theirs expire (up to 30 days). A sender may keep
 * a few proposals waiting for one agent, and one address a few more; other addresses are never
 * refused because of them. Memory stays bounded by the per-proposer and total caps.
 */
final class ProposalBook {
    private static final SecureRandom RANDOM = new SecureRandom();

    /** An accepted proposal whose deadline passed: its escrow was released and both parties are told. */
    record Lapsed(String id, String from, String to, int proposerStake, int acceptorStake) {
    }

    /** The {@code proposals} object of /health. */
    record Stats(int total, Map<String, Integer> byStatus, int agents) {
    }

    private final MarketConfig config;
    private final Reputation reputation;
    private final Map<String, Proposal> proposals = new LinkedHashMap<>();
    private final SharedCaps caps;

    ProposalBook(MarketConfig config, Reputation reputation) {
        this(config, reputation, null);
    }

    /** @param caps the cluster's count of pending proposals, or null for a relay alone */
    ProposalBook(MarketConfig config, Reputation reputation, SharedCaps caps) {
        this.config = config;
        this.reputation = reputation;
        this.caps = caps;
    }

    /**
     * In a cluster the caps count the pending proposals of every relay ({@link SharedCaps}): this
     * relay's own count is checked first, then the cluster's slots are taken outside this lock
     * (a Redis round trip), and the checks run again before the proposal is kept.
     */
    ServerFrame.Proposal propose(String from, String origin, ClientFrame.Proposal f, long now) {
        // The reference treats 0 as "no expiry"; negative values give an already-expired proposal.
        Long expires = f.expires() == null ? null : now + Math.round(f.expires() * 1000);
        long pendingUntil = expires != null ? expires : now + config.defaultProposalExpiry().toMillis();
        String id = newId(now);
        if (caps != null) {
            check(from, origin, f, now);
            takeClusterSlots(id, from, origin, f.to(), pendingUntil);
        }
        synchronized (this) {
            try {
                check(from, origin, f, now);
            } catch (RuntimeException e) {
                if (caps != null) {
                    caps.release(id);
                }
                throw e;
            }
            Integer stake = f.eloStake() == null || f.eloStake() == 0 ? null : f.eloStake();
            Proposal p = new Proposal(id, from, f.to(), f.task(), f.amount(), f.currency(), f.paymentCode(),
                    f.terms(), expires, pendingUntil, now, f.sig(), stake, origin);
            proposals.put(p.id, p);
            return new ServerFrame.Proposal(now, p.id, p.from, p.to, p.task, number(p.amount), p.currency,
                    p.paymentCode, p.terms, p.expires, p.status, p.createdAt, p.sig, p.proposerStake, f.expires());
        }
    }

    /** The signature's single use, the caps on pending proposals as this relay counts them, and the total. */
    private synchronized void check(String from, String origin, ClientFrame.Proposal f, long now) {
        int fromPending = 0;
        int pairPending = 0;
        int originToPending = 0;
        for (Proposal p : proposals.values()) {
            if (p.sig.equals(f.sig())) {
                // Signatures are checked in their one canonical encoding, so equal text is equal bytes.
                throw invalid("Signature already used: this proposal was already made (sign a new one)");
            }
            if (isPending(p, now)) {
                boolean sameSender = p.from.equals(from);
                boolean sameRecipient = p.to.equals(f.to());
                fromPending += sameSender ? 1 : 0;
                pairPending += sameSender && sameRecipient ? 1 : 0;
                originToPending += sameRecipient && Objects.equals(p.origin, origin) ? 1 : 0;
            }
        }
        if (fromPending >= config.maxPendingPerProposer()) {
            throw capReached(0, f.to());
        }
        if (pairPending >= config.maxPendingPerPair()) {
            throw capReached(1, f.to());
        }
        if (originToPending >= config.maxPendingPerRecipientPerAddress()) {
            throw capReached(2, f.to());
        }
        if (proposals.size() >= config.maxProposals()) {
            sweep(now);
            if (proposals.size() >= config.maxProposals()) {
                throw invalid("Server proposal capacity reached, try again later");
            }
        }
    }

    /** The cluster's count of the three caps, in the order of {@link #capReached}. */
    private void takeClusterSlots(String id, String from, String origin, String to, long pendingUntil) {
        int refused = caps.take(id, pendingUntil,
                List.of("proposer " + from, "pair " + from + " " + to, "recipient " + to + " " + origin),
                List.of(config.maxPendingPerProposer(), config.maxPendingPerPair(),
                        config.maxPendingPerRecipientPerAddress()),
                "Proposal not made: the relay cannot reach its cluster; try again later");
        if (refused >= 0) {
            throw capReached(refused, to);
        }
    }

    /** The refusal of cap 0 (per proposer), 1 (per pair) or 2 (per recipient and sender address). */
    private ProtocolException capReached(int cap, String to) {
        return switch (cap) {
            case 0 -> invalid("Too many pending proposals (max " + config.maxPendingPerProposer() + ")");
            case 1 -> invalid("Too many pending proposals to " + to + " (max " + config.maxPendingPerPair() + ")");
            default -> invalid("Agent " + to + " has too many pending proposals from your address (max "
                    + config.maxPendingPerRecipientPerAddress() + ")");
        };
    }

    synchronized ServerFrame.Accept accept(String caller, ClientFrame.Accept f, long now) {
        Proposal p = proposals.get(f.proposalId());
        if (p == null) {
            throw new ProtocolException(ErrorCode.PROPOSAL_NOT_FOUND, "Proposal not found");
        }
        lapse(p, now);
        int acceptorStake = f.eloStake() == null ? 0 : f.eloStake();
        // The original checks both stakes before the state and the recipient (docs/protocol.md §9.1).
        reputation.checkStake(p.from, p.proposerStakeOrZero(), "Proposer: ");
        reputation.checkStake(caller, acceptorStake, "");
        requireStatus(p, "pending", "PROPOSAL_NOT_PENDING");
        if (!p.to.equals(caller)) {
            throw new ProtocolException(ErrorCode.INVALID_PROPOSAL, "NOT_PROPOSAL_RECIPIENT");
        }
        p.status = "accepted";
        p.updatedAt = now;
        leftPending(p);
        p.acceptorStake = acceptorStake;
        p.responsePaymentCode = f.paymentCode();
        p.responseSig = f.sig();
        p.acceptedUntil = now + config.acceptedDeadline().toMillis();
        if (p.proposerStakeOrZero() > 0 || acceptorStake > 0) {
            reputation.lock(p.id, new Escrow(p.from, p.proposerStakeOrZero(), p.to, acceptorStake, now,
                    p.acceptedUntil));
        }
        return new ServerFrame.Accept(now, p.id, p.status, now, p.from, p.to, f.paymentCode(), f.sig(),
                p.proposerStake, acceptorStake);
    }

    synchronized ServerFrame.Reject reject(String caller, ClientFrame.Reject f, long now) {
        Proposal p = find(f.proposalId(), now);
        requireStatus(p, "pending", "PROPOSAL_NOT_PENDING");
        if (!p.to.equals(caller)) {
            throw new ProtocolException(ErrorCode.INVALID_PROPOSAL, "NOT_PROPOSAL_RECIPIENT");
        }
        p.status = "rejected";
        p.updatedAt = now;
        leftPending(p);
        p.rejectReason = f.reason();
        p.responseSig = f.sig();
        return new ServerFrame.Reject(now, p.id, p.status, now, p.from, p.to, f.reason(), f.sig());
    }

    synchronized ServerFrame.Complete complete(String caller, ClientFrame.Complete f, long now) {
        Proposal p = find(f.proposalId(), now);
        requireStatus(p, "accepted", "PROPOSAL_NOT_ACCEPTED");
        requireParty(p, caller);
        p.status = "completed";
        p.updatedAt = now;
        p.completedAt = now;
        p.completedBy = caller;
        p.completionProof = f.proof();
        p.completionSig = f.sig();
        JsonNode changes = reputation.settleCompletion(p, now);
        return new ServerFrame.Complete(now, p.id, p.status, now, p.from, p.to, caller, now, f.proof(), f.sig(),
                new ServerFrame.EloStakes(p.proposerStakeOrZero(), p.acceptorStake), changes);
    }

    synchronized ServerFrame.Dispute dispute(String caller, ClientFrame.Dispute f, long now) {
        Proposal p = find(f.proposalId(), now);
        requireStatus(p, "accepted", "PROPOSAL_NOT_ACCEPTED");
        requireParty(p, caller);
        p.status = "disputed";
        p.updatedAt = now;
        p.disputedAt = now;
        p.disputedBy = caller;
        p.disputeReason = f.reason();
        p.disputeSig = f.sig();
        JsonNode changes = reputation.settleDispute(p, caller, now);
        return new ServerFrame.Dispute(now, p.id, p.status, now, p.from, p.to, caller, now, f.reason(), f.sig(),
                new ServerFrame.EloStakes(p.proposerStakeOrZero(), p.acceptorStake), changes);
    }

    /**
     * Expires what is due and forgets what ended more than {@code retention} ago. Returns the accepted
     * proposals that lapsed now, whose escrow was released, so the caller can tell both parties.
     */
    synchronized List<Lapsed> sweep(long now) {
        List<Lapsed> lapsed = new ArrayList<>();
        long retention = config.retention().toMillis();
        for (Iterator<Proposal> it = proposals.values().iterator(); it.hasNext(); ) {
            Proposal p = it.next();
            boolean wasAccepted = "accepted".equals(p.status);
            lapse(p, now);
            if (wasAccepted && "expired".equals(p.status)) {
                lapsed.add(new Lapsed(p.id, p.from, p.to, p.proposerStakeOrZero(), p.acceptorStake));
            }
            if (p.isFinished() && p.updatedAt + retention < now) {
                it.remove();
            }
        }
        return lapsed;
    }

    synchronized Stats stats() {
        Map<String, Integer> byStatus = new LinkedHashMap<>();
        Set<String> agents = new HashSet<>();
        for (Proposal p : proposals.values()) {
            byStatus.merge(p.status, 1, Integer::sum);
            agents.add(p.from);
            agents.add(p.to);
        }
        return new Stats(proposals.size(), byStatus, agents.size());
    }

    synchronized boolean contains(String id) {
        return proposals.containsKey(id);
    }

    private Proposal find(String id, long now) {
        Proposal p = proposals.get(id);
        if (p == null) {
            throw new ProtocolException(ErrorCode.INVALID_PROPOSAL, "PROPOSAL_NOT_FOUND");
        }
        lapse(p, now);
        return p;
    }

    /** Lazy expiry, as the reference does on lookup, extended to the accepted deadline. */
    private void lapse(Proposal p, long now) {
        if ("pending".equals(p.status) && now > p.pendingUntil) {
            p.status = "expired";
            p.updatedAt = now;
            leftPending(p);
        } else if ("accepted".equals(p.status) && now > p.acceptedUntil) {
            p.status = "expired";
            p.updatedAt = now;
            reputation.release(p.id);
        }
    }

    private boolean isPending(Proposal p, long now) {
        return "pending".equals(p.status) && now <= p.pendingUntil;
    }

    /** The proposal stopped being pending: in a cluster, its slots under the caps go back. */
    private void leftPending(Proposal p) {
        if (caps != null) {
            caps.release(p.id);
        }
    }

    /** An expired proposal answers PROPOSAL_EXPIRED, not the original's misleading state token. */
    private static void requireStatus(Proposal p, String status, String token) {
        if (!status.equals(p.status)) {
            throw new ProtocolException(ErrorCode.INVALID_PROPOSAL,
                    "expired".equals(p.status) ? "PROPOSAL_EXPIRED" : token);
        }
    }

    private static void requireParty(Proposal p, String caller) {
        if (!p.isParty(caller)) {
            throw new ProtocolException(ErrorCode.INVALID_PROPOSAL, "NOT_PROPOSAL_PARTY");
        }
    }

    /** {@code prop_<ms in base 36>_<8 random hex>}, as the reference mints them. */
    static String newId(long now) {
        byte[] random = new byte[4];
        RANDOM.nextBytes(random);
        return "prop_" + Long.toString(now, 36) + "_" + HexFormat.of().formatHex(random);
    }

    /** A JSON number the way JavaScript writes it: integral values without a fraction. */
    static JsonNode number(Double value) {
        if (value == null) {
            return null;
        }
        if (value == Math.rint(value) && Math.abs(value) < 9.007199254740992E15) {
            return LongNode.valueOf(value.longValue());
        }
        return DoubleNode.valueOf(value);
    }
}
