package io.agentchat.daemon;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Objects;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Spaces outbound messages to the server's rate limit, so a burst is not refused.
 *
 * <p>The server refuses a MSG beyond its token bucket: {@code rate_burst} at once, then one per
 * {@code rate_limit_ms} per connection (the reference server: one per 1000 ms). The original fired
 * every outbox line at once and lost all but the first. This is the same bucket on our side: it is
 * refilled from the moment the server <em>answered</em> each line, which is no earlier than the
 * server took it, so our bucket never holds more than the server's.
 *
 * <p>Where the pace comes from:
 * <ul>
 *   <li><b>Fixed</b> ({@link #Pacer(Duration, Clock)}): the user said the limit; nothing changes it.</li>
 *   <li><b>Learned</b> ({@link #learning}): each connection's WELCOME gives the pace ({@link #adopt}).
 *       A server that does not say (the original) gets one message per second to start with.</li>
 * </ul>
 * A learned pace adapts: every RATE_LIMITED lengthens the interval by half, up to {@link #MAX_GUESS}.
 * A guess stays lengthened. An announced pace is a floor the interval drifts back to, by an
 * eighth of the excess per line sent, because the server may refuse for more than the pace it
 * announces (it also limits frames of every kind per second).
 *
 * <p>The pacer never sleeps. Callers ask {@link #delayUntilNextSend()} and wait however suits
 * them (the outbox consumer waits on its wake-up condition, so a shutdown is not delayed), send,
 * and call {@link #recordSend()} once the server has answered. Time comes from the injected
 * {@link Clock}, so tests can step it. The outbox consumer paces; the link thread calls
 * {@link #adopt}; so every method is synchronized.
 */
public final class Pacer {

    /**
     * Taken at first use, not when the class loads: {@link DaemonConfig}'s defaults read this class's
     * constants while the CLI has not yet configured the log, and slf4j keeps the settings it first saw.
     */
    private static final class Log {
        static final Logger LOG = LoggerFactory.getLogger(Pacer.class);
    }

    /** The reference server's default limit: one message per second per connection. */
    public static final Duration DEFAULT_INTERVAL = Duration.ofMillis(1000);
    /** The slowest a guessed pace becomes after repeated RATE_LIMITED answers. */
    public static final Duration MAX_GUESS = Duration.ofSeconds(30);
    static final Duration MAX_ADVERTISED = Duration.ofHours(1);
    static final int MAX_BURST = 1000;
    /** Where a RATE_LIMITED takes a pace that was "no limit". */
    private static final Duration FIRST_STEP = Duration.ofMillis(10);

    private final Clock clock;
    private final boolean learns;
    private Duration interval;
    /** The announced pace's interval, which the interval drifts back to after a lengthening. */
    private Duration floor = Duration.ZERO;
    private int burst = 1;
    private boolean advertised;
    /** Saved-up sending time, in nanoseconds: one message costs one interval; at most burst intervals. */
    private long credit;
    private Instant refilledAt;

    /**
     * A fixed pace, one message per {@code interval}: the user's setting, which WELCOME does not change.
     *
     * @param interval minimum spacing between two sends; {@link Duration#ZERO} disables pacing
     * @param clock source of "now"
     */
    public Pacer(Duration interval, Clock clock) {
        this(interval, clock, false);
    }

    private Pacer(Duration interval, Clock clock, boolean learns) {
        if (interval.isNegative()) {
            throw new IllegalArgumentException("interval must not be negative: " + interval);
        }
        this.interval = interval;
        this.clock = Objects.requireNonNull(clock, "clock");
        this.learns = learns;
        this.credit = interval.toNanos();
        this.refilledAt = clock.instant();
    }

    /** A pacer that never delays (for a server with rate limiting off, and for tests). */
    public static Pacer unlimited(Clock clock) {
        return new Pacer(Duration.ZERO, clock);
    }

    /** A pacer that takes each connection's pace from its WELCOME; until then, one per second. */
    public static Pacer learning(Clock clock) {
        return learning(intervalFor(DEFAULT_INTERVAL), clock);
    }

    /** {@link #learning(Clock)} with another first guess, for a server that does not say. */
    public static Pacer learning(Duration firstGuess, Clock clock) {
        return new Pacer(firstGuess, clock, true);
    }

    /**
     * The spacing for a server limit of {@code serverLimit}: the limit plus 1% plus 1 ms. The
     * server measures arrival times and we measure answers; the margin keeps network jitter from
     * squeezing two paced sends under the limit.
     */
    public static Duration intervalFor(Duration serverLimit) {
        if (serverLimit.isZero()) {
            return Duration.ZERO;
        }
        long ms = serverLimit.toMillis();
        return Duration.ofMillis(ms + ms / 100 + 1);
    }

    public synchronized Duration interval() {
        return interval;
    }

    public synchronized int burst() {
        return burst;
    }

    /**
     * The pace a new connection's WELCOME announced ({@code null}s: it did not say). A fixed pacer
     * ignores it; a learning one paces to it, or, when the server does not say, keeps its guess.
     */
    public synchronized void adopt(Long rateLimitMs, Integer rateBurst) {
        if (!learns) {
            if (rateLimitMs != null && intervalFor(Duration.ofMillis(rateLimitMs)).compareTo(interval) > 0) {
                Log.LOG.warn("The server limits messages to one per {} ms, faster than the pace set ({} ms); "
                        + "some lines may be refused and retried", rateLimitMs, interval.toMillis());
            }
            return;
        }
        // Each connection has its own bucket at the server, full at the start: so does ours.
        refilledAt = clock.instant();
        if (rateLimitMs == null || rateLimitMs < 0) {
            advertised = false;
            burst = 1;
            credit = interval.toNanos();
            Log.LOG.info("The server does not announce its rate limit; pacing outbox lines at one per {} ms",
                    interval.toMillis());
            return;
        }
        advertised = true;
        // A server's word within reason: a pace past an hour or a burst past a thousand is a bug or a
        // hostile server, and would overflow the arithmetic below.
        interval = intervalFor(Duration.ofMillis(Math.min(rateLimitMs, MAX_ADVERTISED.toMillis())));
        floor = interval;
        burst = rateBurst == null ? 1 : Math.max(1, Math.min(rateBurst, MAX_BURST));
        credit = burst * interval.toNanos();
        Log.LOG.info("Pacing outbox lines to the server's limit: {} at once, then one per {} ms", burst,
                interval.toMillis());
    }

    /** How long to wait before the next send may go out; {@link Duration#ZERO} means now. */
    public synchronized Duration delayUntilNextSend() {
        if (interval.isZero()) {
            return Duration.ZERO;
        }
        refill();
        long missing = interval.toNanos() - credit;
        return missing <= 0 ? Duration.ZERO : Duration.ofNanos(missing);
    }

    /** Records a send answered now: it takes one message of the bucket. */
    public synchronized void recordSend() {
        refill();
        credit -= interval.toNanos();
        if (learns && advertised && interval.compareTo(floor) > 0) {
            Duration excess = interval.minus(floor);
            interval = excess.compareTo(Duration.ofMillis(1)) < 0 ? floor
                    : floor.plus(excess.multipliedBy(7).dividedBy(8));
        }
    }

    /**
     * The server answered RATE_LIMITED: a learned pace was too fast and is lengthened by half,
     * within {@link #MAX_GUESS}; a fixed one stays (the user's word). In every case the retry waits
     * a full interval from now.
     */
    public synchronized void onRateLimited() {
        if (learns && interval.compareTo(MAX_GUESS) < 0) {
            Duration longer = interval.isZero() ? FIRST_STEP : interval.plus(interval.dividedBy(2));
            interval = longer.compareTo(MAX_GUESS) > 0 ? MAX_GUESS : longer;
            Log.LOG.info("The server refused a line for its rate; pacing at one per {} ms", interval.toMillis());
        }
        holdOff();
    }

    /** Any other retry (disconnected, no answer): the next send waits a full interval from now. */
    public synchronized void holdOff() {
        refill();
        credit = Math.min(credit, 0);
    }

    private void refill() {
        Instant now = clock.instant();
        if (now.isAfter(refilledAt)) {
            long cap = burst * interval.toNanos();
            credit = Math.min(cap, credit + Duration.between(refilledAt, now).toNanos());
            refilledAt = now;
        }
    }
}
