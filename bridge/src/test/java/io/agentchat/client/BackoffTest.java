package io.agentchat.client;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class BackoffTest {
    private final Backoff backoff = new Backoff(Duration.ofSeconds(1), Duration.ofSeconds(60));

    @Test
    void ceilingDoublesFromBaseAndStopsAtTheCap() {
        assertEquals(Duration.ofSeconds(1), backoff.ceiling(0));
        assertEquals(Duration.ofSeconds(2), backoff.ceiling(1));
        assertEquals(Duration.ofSeconds(32), backoff.ceiling(5));
        assertEquals(Duration.ofSeconds(60), backoff.ceiling(6));
        assertEquals(Duration.ofSeconds(60), backoff.ceiling(1_000));
        assertEquals(Duration.ofSeconds(60), backoff.ceiling(Integer.MAX_VALUE));
    }

    @Test
    void jitterStaysBetweenHalfAndAllOfTheCeiling() {
        for (int attempt = 0; attempt < 20; attempt++) {
            long ceiling = backoff.ceiling(attempt).toMillis();
            assertEquals(ceiling / 2, backoff.delay(attempt, 0.0).toMillis());
            long top = backoff.delay(attempt, 0.999_999).toMillis();
            assertTrue(top <= ceiling && top >= ceiling - 1, "attempt " + attempt + ": " + top);
        }
    }

    @Test
    void isAPureFunctionOfAttemptAndRandomValue() {
        assertEquals(backoff.delay(3, 0.25), backoff.delay(3, 0.25));
        assertEquals(Duration.ofMillis(5000), backoff.delay(3, 0.25));
    }

    @Test
    void rejectsNonsense() {
        assertThrows(IllegalArgumentException.class, () -> backoff.delay(-1, 0.5));
        assertThrows(IllegalArgumentException.class, () -> backoff.delay(1, 1.0));
        assertThrows(IllegalArgumentException.class, () -> new Backoff(Duration.ofSeconds(2), Duration.ofSeconds(1)));
        assertThrows(IllegalArgumentException.class, () -> new Backoff(Duration.ZERO, Duration.ofSeconds(1)));
    }
}
