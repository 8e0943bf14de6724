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
        held.open("a", 0);
        held.hold("a", "one", 1);
        held.open("a", 60_000);
        held.hold("a", "two", 60_001);
        assertEquals(List.of("one", "two"), held.release("a", 60_002));
    }

    @Test
    void reopeningRestartsTheTimeButNotAnExpiredMailbox() {
        HeldMessages held = new HeldMessages(CONFIG);
        held.open("a", 0);
        held.hold("a", "stale", 1);
        held.open("a", Duration.ofMinutes(5).toMillis());
        assertEquals(List.of(), held.release("a", Duration.ofMinutes(5).toMillis() + 1));
        assertEquals(0, held.bytesHeld());
    }

    @Test
    void theCountAndTheBytesBoundAMailbox() {
        HeldMessages held = new HeldMessages(CONFIG);
        held.open("a", 0);
        for (String text : List.of("1", "2", "3")) {
            assertEquals(HeldMessages.Outcome.HELD, held.hold("a", text, 1));
        }
        assertEquals(HeldMessages.Outcome.FULL, held.expect("a", 1));
        assertEquals(HeldMessages.Outcome.NOT_HELD, held.expect("b", 1));
        held.sweep(Duration.ofMinutes(5).toMillis());
        assertEquals(0, held.mailboxes());
        assertEquals(0, held.bytesHeld());
    }
}
