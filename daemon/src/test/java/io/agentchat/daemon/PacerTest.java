package io.agentchat.daemon;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

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

    @Test
    void theAnnouncedPaceAndBurstAreAdoptedAndTheBucketRefillsFromEachAnswer() {
        Pacer pacer = Pacer.learning(clock);
        assertEquals(Duration.ofMillis(1011), pacer.interval(), "one per second until the server says");
        pacer.adopt(10L, 3);
        assertEquals(Duration.ofMillis(11), pacer.interval(), "the limit plus the margin");
        for (int i = 0; i < 3; i++) {
            assertEquals(Duration.ZERO, pacer.delayUntilNextSend(), "burst message " + i);
            pacer.recordSend();
        }
        assertEquals(Duration.ofMillis(11), pacer.delayUntilNextSend());
        clock.advance(Duration.ofMillis(22));
        pacer.recordSend();
        pacer.recordSend();
        assertEquals(Duration.ofMillis(11), pacer.delayUntilNextSend(), "idle time refills, within the burst");
    }

    @Test
    void anAbsurdAnnouncementIsTakenWithinReason() {
        Pacer pacer = Pacer.learning(clock);
        pacer.adopt(Long.MAX_VALUE, Integer.MAX_VALUE);
        assertTrue(pacer.interval().compareTo(Duration.ofHours(2)) < 0, pacer.interval().toString());
        assertEquals(Duration.ZERO, pacer.delayUntilNextSend(), "a full bucket, no overflow");
        pacer.recordSend();
        assertTrue(pacer.delayUntilNextSend().compareTo(Duration.ofHours(2)) < 0);
    }

    @Test
    void aFixedPaceIsTheUsersAndNoAnnouncementOrRefusalChangesIt() {
        Pacer pacer = new Pacer(Duration.ofMillis(500), clock);
        pacer.adopt(10L, 5);
        assertEquals(Duration.ofMillis(500), pacer.interval());
        assertEquals(1, pacer.burst());
        pacer.onRateLimited();
        assertEquals(Duration.ofMillis(500), pacer.interval());
        assertEquals(Duration.ofMillis(500), pacer.delayUntilNextSend());
    }

    @Test
    void aServerThatDoesNotSayGetsOnePerSecondAndEachRefusalLengthensTheGuessUpToTheCap() {
        Pacer pacer = Pacer.learning(clock);
        pacer.adopt(null, null);
        assertEquals(Duration.ofMillis(1011), pacer.interval());
        pacer.recordSend();
        pacer.onRateLimited();
        assertEquals(Duration.ofNanos(1_516_500_000), pacer.interval(), "half as long again");
        assertEquals(Duration.ofNanos(1_516_500_000), pacer.delayUntilNextSend(), "the retry waits the new interval");
        for (int i = 0; i < 20; i++) {
            clock.advance(pacer.delayUntilNextSend());
            pacer.recordSend();
            assertTrue(pacer.interval().compareTo(Duration.ofNanos(1_516_500_000)) >= 0, "a guess never shortens");
            pacer.onRateLimited();
        }
        assertEquals(Pacer.MAX_GUESS, pacer.interval());
        pacer.adopt(null, null);
        assertEquals(Pacer.MAX_GUESS, pacer.interval(), "a reconnect to the same silent server keeps what was learned");
    }

    @Test
    void anAnnouncedPaceLengthensOnRefusalAndDriftsBackToItAsLinesGoThrough() {
        Pacer pacer = Pacer.learning(clock);
        pacer.adopt(10L, 1);
        pacer.recordSend();
        pacer.onRateLimited();
        assertEquals(Duration.ofNanos(16_500_000), pacer.interval());
        for (int i = 0; i < 100; i++) {
            clock.advance(pacer.delayUntilNextSend());
            pacer.recordSend();
        }
        assertEquals(Duration.ofMillis(11), pacer.interval(), "back to the announced pace");
        pacer.adopt(0L, 1);
        assertEquals(Duration.ZERO, pacer.delayUntilNextSend(), "0 announces no limit");
        pacer.onRateLimited();
        assertEquals(Duration.ofMillis(10), pacer.interval(), "refused anyway: a first step");
    }
}
