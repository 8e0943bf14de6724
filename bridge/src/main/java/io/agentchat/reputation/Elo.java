package io.agentchat.reputation;

/**
 * The reference's ELO rules for settling a proposal (COMPLETE or DISPUTE), as pure functions of
 * ratings, transaction counts, the proposal amount and stakes. The server and the CLI's local
 * ledger both apply them. JavaScript's {@code Math.round} rounds half up, as Java's does.
 */
public final class Elo {
    public static final int START = 1200;
    public static final int FLOOR = 100;
    private static final double DIVISOR = 400;

    private Elo() {
    }

    /** A rating change of one agent: {@code change} is computed before the floor is applied. */
    public record Delta(int oldRating, int newRating, int change) {
        static Delta of(int oldRating, int change) {
            return new Delta(oldRating, Math.max(FLOOR, oldRating + change), change);
        }
    }

    /** Both sides of one settlement. */
    public record Outcome(Delta proposer, Delta acceptor) {
    }

    /** K by the transaction count before the update: 32 below 30, 24 below 100, then 16. */
    public static int kFactor(int transactions) {
        if (transactions < 30) {
            return 32;
        }
        return transactions < 100 ? 24 : 16;
    }

    /** {@code E(self, opp) = 1 / (1 + 10^((opp - self) / 400))}. */
    public static double expected(double self, double opponent) {
        return 1 / (1 + Math.pow(10, (opponent - self) / DIVISOR));
    }

    /** {@code m = 1} for a missing or non-positive amount, else {@code min(1 + log10(amount + 1), 3)}. */
    public static double weight(Double amount) {
        if (amount == null || !(amount > 0)) {
            return 1;
        }
        return Math.min(1 + Math.log10(amount + 1), 3);
    }

    /** COMPLETE: both gain half of {@code max(1, round(K·m·(1 − E)))}, at least 1, from pre-update ratings. */
    public static Outcome completion(Party proposer, Party acceptor, Double amount) {
        double m = weight(amount);
        return new Outcome(Delta.of(proposer.rating(), completionGain(proposer, acceptor, m)),
                Delta.of(acceptor.rating(), completionGain(acceptor, proposer, m)));
    }

    private static int completionGain(Party self, Party other, double m) {
        long full = Math.max(1, Math.round(kFactor(self.transactions()) * m * (1 - expected(self.rating(), other.rating()))));
        return (int) Math.max(1, Math.round(full / 2.0));
    }

    /**
     * DISPUTE: the disputer always wins, as in the reference, so that ratings agree with it. With loser L and winner W,
     * {@code base = max(1, round(K_L·m·E(R_L, R_W)))}, {@code ΔL = −base − stake_L},
     * {@code ΔW = round(base·0.5) + stake_L}; K is the loser's.
     *
     * @param loserStake the loser's stake in an active escrow, or 0
     */
    public static Outcome dispute(Party proposer, Party acceptor, boolean proposerDisputed, Double amount,
            int loserStake) {
        Party loser = proposerDisputed ? acceptor : proposer;
        Party winner = proposerDisputed ? proposer : acceptor;
        long base = Math.max(1, Math.round(kFactor(loser.transactions()) * weight(amount)
                * expected(loser.rating(), winner.rating())));
        int loserChange = (int) (-base - loserStake);
        int winnerChange = (int) (Math.round(base * 0.5) + loserStake);
        Delta loserDelta = Delta.of(loser.rating(), loserChange);
        Delta winnerDelta = Delta.of(winner.rating(), winnerChange);
        return proposerDisputed ? new Outcome(winnerDelta, loserDelta) : new Outcome(loserDelta, winnerDelta);
    }

    /** {@code available = max(0, rating − committed stakes − 100)}: what an agent may still stake. */
    public static int available(int rating, long committed) {
        return (int) Math.max(0, rating - committed - FLOOR);
    }

    /** An agent's standing before an update. */
    public record Party(int rating, int transactions) {
    }
}
