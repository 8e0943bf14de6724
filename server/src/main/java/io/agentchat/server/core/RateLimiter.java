package io.agentchat.server.core;

import java.time.Clock;
import java.time.Duration;

/**
 * A token bucket: {@code burst} tokens, one token back every {@code interval}. With burst 1 it is
 * the original's "minimum gap" rule (docs/protocol.md §6.4): a refused attempt does not move the window.
 * A zero interval disables the limit. Thread-safe.
 */
public final class RateLimiter {
    private final Clock clock;
    private final double intervalMillis;
    private final int burst;
    private double tokens;
    private long lastRefill;

    public RateLimiter(Clock clock, Duration interval, int burst) {
        this.clock = clock;
        this.intervalMillis = interval.toNanos() / 1e6;
        this.burst = burst;
        this.tokens = burst;
        this.lastRefill = clock.millis();
    }

    /** Takes a token if one is available. */
    public synchronized boolean tryAcquire() {
        if (intervalMillis <= 0) {
            return true;
        }
        refill();
        if (tokens >= 1) {
            tokens -= 1;
            return true;
        }
        return false;
    }

    /** True when every token is back: the bucket remembers nothing a new one would not. */
    public synchronized boolean full() {
        if (intervalMillis <= 0) {
            return true;
        }
        refill();
        return tokens >= burst;
    }

    private void refill() {
        long now = clock.millis();
        if (now > lastRefill) {
            tokens = Math.min(burst, tokens + (now - lastRefill) / intervalMillis);
            lastRefill = now;
        }
    }
}
