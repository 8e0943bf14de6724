package io.agentchat.server.core;

import java.time.Clock;
import java.time.Duration;
import java.util.concurrent.ConcurrentHashMap;

/**
 * One token bucket per key (an agent id, an address), created on first use. A bucket that has
 * refilled completely holds no information, so {@link #sweep()} drops it; the map therefore
 * holds only the keys that were active within one refill period.
 */
final class KeyedRateLimiter {
    private final Clock clock;
    private final Duration interval;
    private final int burst;
    private final ConcurrentHashMap<String, RateLimiter> buckets = new ConcurrentHashMap<>();

    /** {@code perMinute} tokens per minute, all of them available at once; 0 disables the limit. */
    static KeyedRateLimiter perMinute(Clock clock, int perMinute) {
        Duration interval = perMinute == 0 ? Duration.ZERO : Duration.ofNanos(60_000_000_000L / perMinute);
        return new KeyedRateLimiter(clock, interval, Math.max(1, perMinute));
    }

    KeyedRateLimiter(Clock clock, Duration interval, int burst) {
        this.clock = clock;
        this.interval = interval;
        this.burst = burst;
    }

    boolean tryAcquire(String key) {
        if (interval.isZero()) {
            return true;
        }
        boolean[] acquired = new boolean[1];
        // Taken inside compute so a concurrent sweep cannot drop the bucket between lookup and use.
        buckets.compute(key, (k, bucket) -> {
            RateLimiter b = bucket != null ? bucket : new RateLimiter(clock, interval, burst);
            acquired[0] = b.tryAcquire();
            return b;
        });
        return acquired[0];
    }

    /** Forgets the buckets that are full again. */
    void sweep() {
        for (String key : buckets.keySet()) {
            buckets.computeIfPresent(key, (k, bucket) -> bucket.full() ? null : bucket);
        }
    }

    int size() {
        return buckets.size();
    }
}
