package io.agentchat.bench;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.HdrHistogram.Histogram;

/**
 * End-to-end latency in nanoseconds. Each receiving thread records into its own histogram (no
 * shared counters on the hot path); {@link #merged()} adds them up once the run is over.
 */
final class LatencyRecorder {
    private static final long LOWEST_NANOS = 1_000;
    private static final long HIGHEST_NANOS = 3_600_000_000_000L; // one hour: a stalled relay still fits

    private final List<Histogram> perThread = new CopyOnWriteArrayList<>();
    private final ThreadLocal<Histogram> local = ThreadLocal.withInitial(() -> {
        Histogram histogram = new Histogram(LOWEST_NANOS, HIGHEST_NANOS, 3);
        perThread.add(histogram);
        return histogram;
    });

    void record(long nanos) {
        local.get().recordValue(Math.min(Math.max(nanos, LOWEST_NANOS), HIGHEST_NANOS));
    }

    /** Call only after the recording threads are quiet (the run has drained). */
    Histogram merged() {
        Histogram all = new Histogram(LOWEST_NANOS, HIGHEST_NANOS, 3);
        perThread.forEach(all::add);
        return all;
    }
}
