package io.agentchat.client;

import java.time.Duration;
import java.util.Objects;

/**
 * Exponential backoff with a cap and "equal jitter": attempt {@code n} (0-based) waits between half
 * and all of {@code min(cap, base * 2^n)}. A pure function of the attempt number and a random
 * value in {@code [0, 1)}, so reconnect schedules can be tested without clocks or sleeps.
 *
 * @param base first delay before jitter (e.g. 1 s)
 * @param cap  largest delay (e.g. 60 s)
 */
public record Backoff(Duration base, Duration cap) {

    public Backoff {
        Objects.requireNonNull(base, "base");
        Objects.requireNonNull(cap, "cap");
        if (base.isNegative() || base.isZero() || cap.compareTo(base) < 0) {
            throw new IllegalArgumentException("need 0 < base <= cap");
        }
    }

    /** 1 s doubling up to 60 s, where the original client retried at a fixed delay. */
    public static Backoff standard() {
        return new Backoff(Duration.ofSeconds(1), Duration.ofSeconds(60));
    }

    /** The capped exponential delay for {@code attempt}, before jitter. */
    public Duration ceiling(int attempt) {
        if (attempt < 0) {
            throw new IllegalArgumentException("attempt must be >= 0");
        }
        long baseMs = base.toMillis();
        long capMs = cap.toMillis();
        int shift = Math.min(attempt, 62);
        long ms = baseMs > (capMs >> shift) ? capMs : Math.min(capMs, baseMs << shift);
        return Duration.ofMillis(ms);
    }

    /**
     * The delay before attempt {@code attempt}.
     *
     * @param random01 a value in {@code [0, 1)}, e.g. {@code ThreadLocalRandom.current().nextDouble()}
     */
    public Duration delay(int attempt, double random01) {
        if (!(random01 >= 0 && random01 < 1)) {
            throw new IllegalArgumentException("random01 must be in [0, 1)");
        }
        long ceiling = ceiling(attempt).toMillis();
        long half = ceiling / 2;
        return Duration.ofMillis(half + (long) ((ceiling - half) * random01));
    }
}
