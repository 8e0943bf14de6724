package io.agentchat.daemon;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Objects;

/**
 * Spaces outbound messages to the server's rate limit, so a burst is not refused.
 *
 * <p>The reference server refuses a MSG that arrives less than {@code RATE_LIMIT_MS} (1000 ms by
 * default) after the previous one on the same connection. The original fired every outbox line
 * at once and lost all but the first; we keep at least {@link #interval()} between two sends. This is
 * a token bucket of capacity one, which is exactly the server's rule; a larger burst would only be
 * refused.
 *
 * <p>The pacer never sleeps. Callers ask {@link #delayUntilNextSend()} and wait however suits
 * them (the outbox consumer waits on its wake-up condition, so a shutdown is not delayed), send,
 * and call {@link #recordSend()} once the server has answered: the server saw the line no later
 * than that, so the interval then holds at the server, where it is measured. Time comes from the injected {@link Clock}, so
 * tests can step it. Not thread-safe: one consumer thread owns it.
 */
public final class Pacer {

    /** The reference server's default limit: one message per second per connection. */
    public static final Duration DEFAULT_INTERVAL = Duration.ofMillis(1000);

    private final Duration interval;
    private final Clock clock;
    private Instant nextAllowed;

    /**
     * @param interval minimum spacing between two sends; {@link Duration#ZERO} disables pacing
     * @param clock source of "now"
     */
    public Pacer(Duration interval, Clock clock) {
        if (interval.isNegative()) {
            throw new IllegalArgumentException("interval must not be negative: " + interval);
        }
        this.interval = interval;
        this.clock = Objects.requireNonNull(clock, "clock");
        this.nextAllowed = Instant.MIN;
    }

    /** A pacer that never delays (for a server with rate limiting off, and for tests). */
    public static Pacer unlimited(Clock clock) {
        return new Pacer(Duration.ZERO, clock);
    }

    public Duration interval() {
        return interval;
    }

    /** How long to wait before the next send may go out; {@link Duration#ZERO} means now. */
    public Duration delayUntilNextSend() {
        Instant now = clock.instant();
        if (!now.isBefore(nextAllowed)) {
            return Duration.ZERO;
        }
        return Duration.between(now, nextAllowed);
    }

    /** Records a send answered now; the next one is allowed one interval later. */
    public void recordSend() {
        nextAllowed = clock.instant().plus(interval);
    }

    /**
     * The server answered RATE_LIMITED although we paced (its clock measures arrival, ours
     * departure, and network jitter can squeeze two sends together): wait a full interval from now
     * before the retry, so the retry cannot be refused for the same reason.
     */
    public void onRateLimited() {
        Instant candidate = clock.instant().plus(interval);
        if (candidate.isAfter(nextAllowed)) {
            nextAllowed = candidate;
        }
    }
}
