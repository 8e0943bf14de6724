package io.agentchat.reputation;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.agentchat.reputation.Elo.Party;
import org.junit.jupiter.api.Test;

/** Worked examples of the rating rules, with the arithmetic written out. */
class EloTest {

    @Test
    void kFactorDropsAt30And100Transactions() {
        assertEquals(32, Elo.kFactor(0));
        assertEquals(32, Elo.kFactor(29));
        assertEquals(24, Elo.kFactor(30));
        assertEquals(24, Elo.kFactor(99));
        assertEquals(16, Elo.kFactor(100));
    }

    @Test
    void weightIsOneForNoAmountAndCappedAtThree() {
        assertEquals(1, Elo.weight(null));
        assertEquals(1, Elo.weight(0.0));
        assertEquals(1, Elo.weight(-5.0));
        // m = 1 + log10(2 + 1) = 1 + 0.47712 = 1.47712
        assertEquals(1.47712, Elo.weight(2.0), 1e-5);
        // m = min(1 + log10(101), 3) = min(3.00432, 3) = 3
        assertEquals(3, Elo.weight(100.0));
    }

    @Test
    void completionBetweenEqualsGivesTwelveEach() {
        // E = 1/(1+10^0) = 0.5; K = 32; m = 1.47712
        // full = max(1, round(32 * 1.47712 * 0.5)) = round(23.634) = 24; gain = round(24/2) = 12
        Elo.Outcome o = Elo.completion(new Party(1200, 0), new Party(1200, 0), 2.0);
        assertEquals(new Elo.Delta(1200, 1212, 12), o.proposer());
        assertEquals(new Elo.Delta(1200, 1212, 12), o.acceptor());
    }

    @Test
    void completionBetweenUnequalsWeightsByExpectation() {
        // A 1300 (tx 40 → K 24), B 1500 (tx 120 → K 16), amount 100 → m = 3
        // E_A = 1/(1+10^(200/400)) = 1/(1+3.16228) = 0.24025
        // full_A = round(24 * 3 * (1 - 0.24025)) = round(54.70) = 55 → gain round(27.5) = 28
        // E_B = 0.75975; full_B = round(16 * 3 * 0.24025) = round(11.53) = 12 → gain 6
        Elo.Outcome o = Elo.completion(new Party(1300, 40), new Party(1500, 120), 100.0);
        assertEquals(new Elo.Delta(1300, 1328, 28), o.proposer());
        assertEquals(new Elo.Delta(1500, 1506, 6), o.acceptor());
    }

    @Test
    void disputeByProposerTakesTheAcceptorsStake() {
        // 1212/1212, tx 1/1 (K 32), amount 10 → m = 1 + log10(11) = 2.04139; E_L = 0.5
        // base = max(1, round(32 * 2.04139 * 0.5)) = round(32.66) = 33
        // acceptor (loser, stake 20): -33 - 20 = -53; proposer: round(33 * 0.5) + 20 = 17 + 20 = 37
        Elo.Outcome o = Elo.dispute(new Party(1212, 1), new Party(1212, 1), true, 10.0, 20);
        assertEquals(new Elo.Delta(1212, 1249, 37), o.proposer());
        assertEquals(new Elo.Delta(1212, 1159, -53), o.acceptor());
    }

    @Test
    void disputeByAcceptorWithoutAmount() {
        // A (proposer, loser) 1328 tx 41 → K 24; B (acceptor, disputer) 1506; m = 1
        // E(1328, 1506) = 1/(1+10^(178/400)) = 1/(1+2.78612) = 0.26412
        // base = round(24 * 0.26412) = round(6.34) = 6 → A -6, B +round(3.0) = +3
        Elo.Outcome o = Elo.dispute(new Party(1328, 41), new Party(1506, 130), false, null, 0);
        assertEquals(new Elo.Delta(1328, 1322, -6), o.proposer());
        assertEquals(new Elo.Delta(1506, 1509, 3), o.acceptor());
    }

    @Test
    void floorAppliesAfterTheChangeWhichIsReportedUnfloored() {
        // loser 120 vs 1200, K 32, m 1: E = 1/(1+10^(1080/400)) = 0.00199 → round(0.064) = 0 → base 1
        // loser: -1 - 50 = -51 → 120 - 51 = 69 → floored to 100, change stays -51
        Elo.Outcome o = Elo.dispute(new Party(1200, 0), new Party(120, 0), true, null, 50);
        assertEquals(new Elo.Delta(120, 100, -51), o.acceptor());
        assertEquals(new Elo.Delta(1200, 1251, 51), o.proposer());
    }

    @Test
    void availableKeepsTheFloorAndCommittedStakesBack() {
        assertEquals(1100, Elo.available(1200, 0));
        assertEquals(1030, Elo.available(1200, 70));
        assertEquals(0, Elo.available(150, 70));
    }
}
