package io.agentchat.server.core;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The mailbox behind held DMs, below the relay (HeldMessagesTest drives it over the wire). */
class HeldMailboxTest {
    private static final RecoveryConfig CONFIG = new RecoveryConfig(0, Duration.ZERO, 0, 3, Duration.ofMinutes(5),
            1 << 20, 1 << 20);

    @Test
    void anIdentityThatLeavesAgainBeforeItGotItsDmsKeepsThem() {
        HeldMessages held = new HeldMessages(CONFIG);
        held.open("a", "key-a", 0);
        held.hold("a", "one", "@sender", "10.0.0.1", 1);
        held.open("a", "key-a", 60_000);
        held.hold("a", "two", "@sender", "10.0.0.1", 60_001);
        assertEquals(List.of("one", "two"), held.release("a", "key-a", 60_002));
    }

    @Test
    void onlyTheKeyThatLeftGetsWhatWasHeld() {
        HeldMessages held = new HeldMessages(CONFIG);
        held.open("a", "key-a", 0);
        held.hold("a", "for key a", "@sender", "10.0.0.1", 1);
        assertEquals(true, held.heldForAnotherKey("a", "key-b", 2));
        assertEquals(List.of(), held.release("a", "key-b", 2));
        assertEquals(false, held.heldForAnotherKey("a", "key-a", 3));
        assertEquals(List.of("for key a"), held.release("a", "key-a", 3));
    }

    @Test
    void reopeningRestartsTheTimeButNotAnExpiredMailbox() {
        HeldMessages held = new HeldMessages(CONFIG);
        held.open("a", "key-a", 0);
        held.hold("a", "stale", "@sender", "10.0.0.1", 1);
        held.open("a", "key-a", Duration.ofMinutes(5).toMillis());
        assertEquals(List.of(), held.release("a", "key-a", Duration.ofMinutes(5).toMillis() + 1));
        assertEquals(0, held.bytesHeld());
    }

    @Test
    void oneAddressMayFillOnlyItsShareOfTheServersBudget() {
        HeldMessages held = new HeldMessages(new RecoveryConfig(0, Duration.ZERO, 0, 100, Duration.ofMinutes(5),
                1 << 20, 8 * 1000)); // a share of 1,000 bytes
        String frame = "x".repeat(100); // costs 264
        for (String id : List.of("a", "b", "c", "d", "e")) {
            held.open(id, "key-" + id, 0);
        }
        for (String id : List.of("a", "b", "c")) {
            assertEquals(HeldMessages.Outcome.HELD, held.hold(id, frame, "@sender", "10.0.0.1", 1));
        }
        assertEquals(HeldMessages.Outcome.SENDER_FULL, held.hold("d", frame, "@sender", "10.0.0.1", 1));
        assertEquals(HeldMessages.Outcome.HELD, held.hold("d", frame, "@sender", "10.0.0.2", 1), "another address has room");
        held.release("a", "key-a", 2);
        assertEquals(HeldMessages.Outcome.HELD, held.hold("e", frame, "@sender", "10.0.0.1", 3), "a release gives the share back");
    }

    @Test
    void aFullMailboxDropsTheOldestDmOfWhoeverHoldsTheMostForAnotherSender() {
        HeldMessages held = new HeldMessages(CONFIG); // 3 DMs a mailbox
        held.open("a", "key-a", 0);
        for (String text : List.of("junk1", "junk2", "junk3")) {
            held.hold("a", text, "@stranger", "10.0.0.9", 1);
        }
        assertEquals(HeldMessages.Outcome.FULL, held.hold("a", "junk4", "@stranger", "10.0.0.9", 1));
        assertEquals(HeldMessages.Outcome.HELD, held.expect("a", "@friend", 1));
        assertEquals(HeldMessages.Outcome.HELD, held.hold("a", "hello", "@friend", "10.0.0.9", 1));
        assertEquals(List.of("junk2", "junk3", "hello"), held.release("a", "key-a", 2));
        assertEquals(0, held.bytesHeld());
    }

    @Test
    void theCountAndTheBytesBoundAMailbox() {
        HeldMessages held = new HeldMessages(CONFIG);
        held.open("a", "key-a", 0);
        for (String text : List.of("1", "2", "3")) {
            assertEquals(HeldMessages.Outcome.HELD, held.hold("a", text, "@sender", "10.0.0.1", 1));
        }
        assertEquals(HeldMessages.Outcome.FULL, held.expect("a", "@sender", 1));
        assertEquals(HeldMessages.Outcome.NOT_HELD, held.expect("b", "@sender", 1));
        held.sweep(Duration.ofMinutes(5).toMillis());
        assertEquals(0, held.mailboxes());
        assertEquals(0, held.bytesHeld());
    }
}
