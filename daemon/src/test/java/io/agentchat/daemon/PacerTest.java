package io.agentchat.daemon;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.agentchat.server.MutableClock;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;

class PacerTest {

    private final MutableClock clock = new MutableClock(Instant.parse("2026-01-01T00:00:00Z"));

    @Test
    void firstSendGoesAtOnceAndTheNextWaitsOneInterval() {
        Pacer pacer = new Pacer(Pacer.DEFAULT_INTERVAL, clock);
        assertEquals(Duration.ZERO, pacer.delayUntilNextSend());
        pacer.recordSend();
        assertEquals(Duration.ofMillis(1000), pacer.delayUntilNextSend());
        clock.advance(Duration.ofMillis(400));
        assertEquals(Duration.ofMillis(600), pacer.delayUntilNextSend());
        clock.advance(Duration.ofMillis(600));
        assertEquals(Duration.ZERO, pacer.delayUntilNextSend());
    }

    @Test
    void idleTimeDoesNotBuildABurst() {
        Pacer pacer = new Pacer(Duration.ofMillis(1000), clock);
        pacer.recordSend();
        clock.advance(Duration.ofSeconds(60));
        assertEquals(Duration.ZERO, pacer.delayUntilNextSend());
        pacer.recordSend();
        // The server's rule is per message, so a long pause must not allow two back to back.
        assertEquals(Duration.ofMillis(1000), pacer.delayUntilNextSend());
    }

    @Test
    void rateLimitedPushesTheNextSlotAFullIntervalFromNow() {
        Pacer pacer = new Pacer(Duration.ofMillis(1000), clock);
        pacer.recordSend();
        clock.advance(Duration.ofMillis(900));
        pacer.onRateLimited();
        assertEquals(Duration.ofMillis(1000), pacer.delayUntilNextSend());
    }

    @Test
    void configurableIntervalAndUnlimited() {
        Pacer fast = new Pacer(Duration.ofMillis(50), clock);
        fast.recordSend();
        assertEquals(Duration.ofMillis(50), fast.delayUntilNextSend());
        Pacer unlimited = Pacer.unlimited(clock);
        unlimited.recordSend();
        assertEquals(Duration.ZERO, unlimited.delayUntilNextSend());
        assertThrows(IllegalArgumentException.class, () -> new Pacer(Duration.ofMillis(-1), clock));
    }
}
