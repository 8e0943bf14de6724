package io.agentchat.server.metrics;

import java.util.concurrent.atomic.LongAdder;

/**
 * A Prometheus histogram with fixed buckets, recorded from many threads at once without a lock:
 * one adder per bucket (not cumulative; {@link #render} adds them up) and one for the sum.
 */
final class LatencyHistogram {
    /** Upper bounds in nanoseconds: 50 µs to 5 s, about three per decade. */
    private static final long[] BOUNDS_NANOS = {50_000, 100_000, 250_000, 500_000, 1_000_000, 2_500_000, 5_000_000,
            10_000_000, 25_000_000, 50_000_000, 100_000_000, 250_000_000, 500_000_000, 1_000_000_000, 5_000_000_000L};

    private final LongAdder[] counts = new LongAdder[BOUNDS_NANOS.length + 1];
    private final LongAdder sumNanos = new LongAdder();

    LatencyHistogram() {
        for (int i = 0; i < counts.length; i++) {
            counts[i] = new LongAdder();
        }
    }

    void record(long nanos) {
        int bucket = 0;
        while (bucket < BOUNDS_NANOS.length && nanos > BOUNDS_NANOS[bucket]) {
            bucket++;
        }
        counts[bucket].increment();
        sumNanos.add(nanos);
    }

    void render(PrometheusText out, String name, String help) {
        out.header(name, help, "histogram");
        long cumulative = 0;
        for (int i = 0; i < BOUNDS_NANOS.length; i++) {
            cumulative += counts[i].sum();
            out.sample(name + "_bucket", "le", seconds(BOUNDS_NANOS[i]), cumulative);
        }
        cumulative += counts[BOUNDS_NANOS.length].sum();
        out.sample(name + "_bucket", "le", "+Inf", cumulative);
        out.sample(name + "_sum", sumNanos.sum() / 1e9);
        out.sample(name + "_count", cumulative);
    }

    private static String seconds(long nanos) {
        return Double.toString(nanos / 1e9);
    }
}
