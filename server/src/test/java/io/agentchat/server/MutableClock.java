package io.agentchat.server;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.concurrent.atomic.AtomicReference;

/**
 * A clock tests move by hand, so time rules (rate limits, expiry, pacing) are tested without
 * sleeping. The one copy for every module's tests (the daemon's come through the server's test-jar).
 */
public final class MutableClock extends Clock {
    private final AtomicReference<Instant> now;

    public MutableClock() {
        this(System.currentTimeMillis());
    }

    public MutableClock(long startMillis) {
        this(Instant.ofEpochMilli(startMillis));
    }

    public MutableClock(Instant start) {
        this.now = new AtomicReference<>(start);
    }

    public void advance(Duration duration) {
        now.updateAndGet(instant -> instant.plus(duration));
    }

    @Override
    public ZoneId getZone() {
        return ZoneOffset.UTC;
    }

    @Override
    public Clock withZone(ZoneId zone) {
        return this;
    }

    @Override
    public Instant instant() {
        return now.get();
    }

    @Override
    public long millis() {
        return now.get().toEpochMilli();
    }
}
