package io.agentchat.bench;

import org.HdrHistogram.Histogram;

/** End-to-end latency in nanoseconds: one histogram per reader thread, added up once the run is over. */
final class LatencyHistograms {
    private static final long LOWEST_NANOS = 1_000;
    private static final long HIGHEST_NANOS = 3_600_000_000_000L; // one hour: a stalled relay still fits

    private LatencyHistograms() {
    }

    static Histogram create() {
        return new Histogram(LOWEST_NANOS, HIGHEST_NANOS, 3);
    }

    static long clamp(long nanos) {
        return Math.min(Math.max(nanos, LOWEST_NANOS), HIGHEST_NANOS);
    }
}
