package io.agentchat.server.market;

import java.time.Duration;

/**
 * Limits and timers of the marketplace. The original bounds none of this and never expires an accepted proposal; the
 * defaults here are chosen in docs/decisions.md ("Marketplace") and docs/limits.md.
 *
 * @param defaultProposalExpiry    a pending proposal sent without {@code expires} lapses after this
 * @param acceptedDeadline         an accepted proposal not completed or disputed by then expires and its escrow is released
 * @param retention                finished or expired proposals are forgotten this long after they ended
 * @param maxPendingPerProposer    pending proposals one agent may have sent
 * @param maxPendingPerPair        pending proposals one agent may have sent to one recipient
 * @param maxPendingPerRecipientPerAddress pending proposals to one recipient from the agents of one address together
 * @param maxProposals             proposals held in memory, all states
 * @param maxTextLength            task, terms, reasons and proofs, in UTF-16 units
 * @param maxAmount                the largest {@code amount} accepted
 * @param maxSkillsPerAgent        skills in one registration
 * @param maxRegistrations         agents with a skills registration
 * @param skillTtl                 a registration not renewed within this time is dropped
 * @param maxSearchResults         the most entries one SEARCH_RESULTS carries
 * @param verificationTimeout      a VERIFY_REQUEST unanswered for this long fails (reference: 30 s)
 * @param maxVerificationsPerRequester pending verification requests of one requester
 * @param maxVerifications         pending verification requests in all
 * @param maxRatedAgents           entries the ratings store may hold
 */
public record MarketConfig(Duration defaultProposalExpiry, Duration acceptedDeadline, Duration retention,
                           int maxPendingPerProposer, int maxPendingPerPair, int maxPendingPerRecipientPerAddress,
                           int maxProposals, int maxTextLength, double maxAmount, int maxSkillsPerAgent,
                           int maxRegistrations, Duration skillTtl, int maxSearchResults, Duration verificationTimeout,
                           int maxVerificationsPerRequester, int maxVerifications, int maxRatedAgents) {

    public MarketConfig {
        if (maxPendingPerProposer < 1 || maxPendingPerPair < 1 || maxPendingPerRecipientPerAddress < 1
                || maxProposals < 1 || maxSkillsPerAgent < 1 || maxRegistrations < 1) {
            throw new IllegalArgumentException("proposal and skill limits must be >= 1");
        }
    }

    public static MarketConfig defaults() {
        return new MarketConfig(Duration.ofHours(24), Duration.ofDays(7), Duration.ofHours(24), 20, 5, 20, 50_000,
                2000, 1e12, 50, 10_000, Duration.ofHours(24), 200, Duration.ofSeconds(30), 5, 10_000, 1_000_000);
    }

    public MarketConfig withVerificationTimeout(Duration timeout) {
        return new MarketConfig(defaultProposalExpiry, acceptedDeadline, retention, maxPendingPerProposer,
                maxPendingPerPair, maxPendingPerRecipientPerAddress, maxProposals, maxTextLength, maxAmount,
                maxSkillsPerAgent, maxRegistrations, skillTtl, maxSearchResults, timeout, maxVerificationsPerRequester,
                maxVerifications, maxRatedAgents);
    }

    public MarketConfig withLimits(int pendingPerProposer, int skillsPerAgent, int registrations) {
        return new MarketConfig(defaultProposalExpiry, acceptedDeadline, retention, pendingPerProposer,
                maxPendingPerPair, maxPendingPerRecipientPerAddress, maxProposals, maxTextLength, maxAmount,
                skillsPerAgent, registrations, skillTtl, maxSearchResults, verificationTimeout,
                maxVerificationsPerRequester, maxVerifications, maxRatedAgents);
    }

    /** The caps on pending proposals: per proposer, per (proposer, recipient), per (address, recipient), in all. */
    public MarketConfig withProposalLimits(int perProposer, int perPair, int perRecipientPerAddress, int total) {
        return new MarketConfig(defaultProposalExpiry, acceptedDeadline, retention, perProposer, perPair,
                perRecipientPerAddress, total, maxTextLength, maxAmount, maxSkillsPerAgent, maxRegistrations,
                skillTtl, maxSearchResults, verificationTimeout, maxVerificationsPerRequester, maxVerifications,
                maxRatedAgents);
    }
}
