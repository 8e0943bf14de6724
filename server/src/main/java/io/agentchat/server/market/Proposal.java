package io.agentchat.server.market;

/**
 * One proposal as the server keeps it (docs/protocol.md §9.1). Mutable, but only ever touched while
 * holding the {@link ProposalBook}'s lock.
 */
final class Proposal {
    final String id;
    final String from;
    final String to;
    final String task;
    final Double amount;
    final String currency;
    final String paymentCode;
    final String terms;
    /** Absolute ms as relayed, or null when the client gave none. */
    final Long expires;
    /** When a pending proposal lapses: {@code expires}, or the server's default, so none waits forever. */
    final long pendingUntil;
    final long createdAt;
    final String sig;
    final Integer proposerStake;
    /** The address the proposer sent it from: the per-address cap on one recipient's inbox counts it. */
    final String origin;

    String status = "pending";
    long updatedAt;
    int acceptorStake;
    String responsePaymentCode;
    String responseSig;
    String rejectReason;
    /** When an accepted proposal lapses and its escrow is released. */
    long acceptedUntil;
    long completedAt;
    String completedBy;
    String completionProof;
    String completionSig;
    long disputedAt;
    String disputedBy;
    String disputeReason;
    String disputeSig;

    Proposal(String id, String from, String to, String task, Double amount, String currency, String paymentCode,
            String terms, Long expires, long pendingUntil, long createdAt, String sig, Integer proposerStake,
            String origin) {
        this.origin = origin;
        this.id = id;
        this.from = from;
        this.to = to;
        this.task = task;
        this.amount = amount;
        this.currency = currency;
        this.paymentCode = paymentCode;
        this.terms = terms;
        this.expires = expires;
        this.pendingUntil = pendingUntil;
        this.createdAt = createdAt;
        this.updatedAt = createdAt;
        this.sig = sig;
        this.proposerStake = proposerStake;
    }

    boolean isParty(String agent) {
        return from.equals(agent) || to.equals(agent);
    }

    boolean isFinished() {
        return switch (status) {
            case "pending", "accepted" -> false;
            default -> true;
        };
    }

    int proposerStakeOrZero() {
        return proposerStake == null ? 0 : proposerStake;
    }
}
