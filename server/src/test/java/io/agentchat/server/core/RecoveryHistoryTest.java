package io.agentchat.server.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import io.agentchat.protocol.ChannelPosition;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The history a resume is answered from: consecutive seqs, bounded, never a hole. */
class RecoveryHistoryTest {
    private static final long NOW = 1_000_000;

    private static void append(RecoveryHistory history, String... texts) {
        for (String text : texts) {
            history.append(NOW, text);
        }
    }

    private static ChannelPosition at(RecoveryHistory history, long seq) {
        return new ChannelPosition(seq, history.epoch());
    }

    @Test
    void aBudgetTooSmallForTheNextMessageEmptiesTheHistoryRatherThanLeaveAHole() {
        ByteBudget shared = new ByteBudget(3 * ByteBudget.cost("aaaa"));
        RecoveryHistory busy = new RecoveryHistory(100, 60_000, shared, 1 << 20, () -> Long.MAX_VALUE);
        RecoveryHistory other = new RecoveryHistory(100, 60_000, shared, 1 << 20, () -> Long.MAX_VALUE);
        append(busy, "m1", "m2");
        append(other, "aaaa");
        append(busy, "x".repeat(41)); // costs more than the budget less what the other channel holds

        assertEquals(0, busy.size(), "neither m1, m2 nor the new one is kept");
        assertNull(busy.after(at(busy, 1), NOW), "seq 2 and 3 are gone: refused, not answered with a hole");
        assertEquals(List.of(), busy.after(at(busy, 3), NOW), "nothing missed is still a complete answer");
        append(busy, "m4");
        assertEquals(List.of("m4"), busy.after(at(busy, 3), NOW));
        assertNull(busy.after(at(busy, 2), NOW));
        assertEquals(ByteBudget.cost("aaaa") + ByteBudget.cost("m4"), shared.used());
    }

    @Test
    void theOldestGoFirstWhenTheCountIsReached() {
        RecoveryHistory history = new RecoveryHistory(2, 60_000, new ByteBudget(1 << 20), 1 << 20, () -> Long.MAX_VALUE);
        append(history, "m1", "m2", "m3");
        assertEquals(List.of("m3"), history.after(at(history, 2), NOW));
        assertEquals(List.of("m2", "m3"), history.after(at(history, 1), NOW));
        assertNull(history.after(at(history, 0), NOW));
    }

    @Test
    void anAnswerLargerThanOneSocketMayTakeIsRefused() {
        RecoveryHistory history = new RecoveryHistory(100, 60_000, new ByteBudget(1 << 20), 10, () -> Long.MAX_VALUE);
        append(history, "12345", "67890", "x");
        assertEquals(List.of("67890", "x"), history.after(at(history, 1), NOW));
        assertNull(history.after(at(history, 0), NOW), "11 characters");
    }

    @Test
    void aHistoryKeepsToItsShareAndGivesBackWhatTheShareShrinks() {
        ByteBudget shared = new ByteBudget(1 << 20);
        long[] share = {3 * ByteBudget.cost("m1")};
        RecoveryHistory history = new RecoveryHistory(100, 60_000, shared, 1 << 20, () -> share[0]);
        append(history, "m1", "m2", "m3", "m4");
        assertEquals(List.of("m2", "m3", "m4"), history.after(at(history, 1), NOW), "m1 went for m4");
        share[0] = ByteBudget.cost("m1"); // more channels now
        history.expire(NOW);
        assertEquals(List.of("m4"), history.after(at(history, 3), NOW));
        assertEquals(ByteBudget.cost("m4"), shared.used());
    }

    @Test
    void clearingGivesEveryByteBack() {
        ByteBudget shared = new ByteBudget(1 << 20);
        RecoveryHistory history = new RecoveryHistory(100, 60_000, shared, 1 << 20, () -> Long.MAX_VALUE);
        append(history, "m1", "m2");
        history.clear();
        assertEquals(0, shared.used());
        history.append(NOW + 60_000, "later");
        history.expire(NOW + 120_000);
        assertEquals(0, shared.used());
    }
}
