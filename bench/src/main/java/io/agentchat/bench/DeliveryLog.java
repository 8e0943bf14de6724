package io.agentchat.bench;

import java.util.BitSet;

/**
 * What one subscriber received from each publisher: a bit per sequence number, so loss,
 * duplicates and reordering are exact, not estimated. Messages before {@code measuredFrom} are
 * warm-up: checked for loss, left out of rates and latency.
 */
final class DeliveryLog implements BenchSocket.Deliveries {
    private final BitSet[] seen;
    private final long[] highest;
    private final long measuredFrom;
    private final LatencyRecorder latency;
    private final long[] fields = new long[3];
    private long delivered;
    private long measured;
    private long duplicates;
    private long reordered;
    private long lastMeasuredNanos;

    DeliveryLog(int publishers, long measuredFrom, LatencyRecorder latency) {
        this.seen = new BitSet[publishers];
        this.highest = new long[publishers];
        for (int i = 0; i < publishers; i++) {
            seen[i] = new BitSet();
            highest[i] = -1;
        }
        this.measuredFrom = measuredFrom;
        this.latency = latency;
    }

    @Override
    public synchronized void onBenchMessage(String frame, int payloadAt) {
        long now = System.nanoTime();
        Payload.parse(frame, payloadAt, fields);
        int publisher = (int) fields[0];
        int seq = (int) fields[1];
        if (seen[publisher].get(seq)) {
            duplicates++;
            return;
        }
        seen[publisher].set(seq);
        delivered++;
        if (seq < highest[publisher]) {
            reordered++;
        } else {
            highest[publisher] = seq;
        }
        if (seq >= measuredFrom) {
            measured++;
            lastMeasuredNanos = now;
            latency.record(now - fields[2]);
        }
    }

    synchronized long delivered() {
        return delivered;
    }

    synchronized long measured() {
        return measured;
    }

    synchronized long duplicates() {
        return duplicates;
    }

    synchronized long reordered() {
        return reordered;
    }

    synchronized long lastMeasuredNanos() {
        return lastMeasuredNanos;
    }

    /** Messages the publisher sent that never arrived here. */
    synchronized long lost(int publisher, long sent) {
        return sent - seen[publisher].cardinality();
    }
}
