package io.agentchat.bench;

import java.util.BitSet;
import org.HdrHistogram.Histogram;

/**
 * What one subscriber received from each publisher: a bit per sequence number, so loss,
 * duplicates and reordering are exact, not estimated. Messages before {@code measuredFrom} are
 * warm-up: checked for loss, left out of rates and latency. Written by the one reader thread that
 * owns the subscriber's socket; read by others only through {@link #delivered()} during the run
 * and in full once that thread has stopped.
 */
final class DeliveryLog {
    private final BitSet[] seen;
    private final long[] highest;
    private final long measuredFrom;
    private final long[] fields = new long[3];
    private volatile long delivered;
    private long measured;
    private long duplicates;
    private long reordered;
    private long malformed;
    private long lastMeasuredNanos;

    DeliveryLog(int publishers, long measuredFrom) {
        this.seen = new BitSet[publishers];
        this.highest = new long[publishers];
        for (int i = 0; i < publishers; i++) {
            seen[i] = new BitSet();
            highest[i] = -1;
        }
        this.measuredFrom = measuredFrom;
    }

    /** One benchmark message whose numbers start at {@code data[payloadAt]}, read at {@code now}. */
    void record(byte[] data, int payloadAt, int end, long now, Histogram latency) {
        if (!Payload.parse(data, payloadAt, end, fields) || fields[0] < 0 || fields[0] >= seen.length
                || fields[1] < 0 || fields[1] > Integer.MAX_VALUE) {
            malformed++;
            return;
        }
        int publisher = (int) fields[0];
        int seq = (int) fields[1];
        if (seen[publisher].get(seq)) {
            duplicates++;
            return;
        }
        seen[publisher].set(seq);
        delivered++; // one writer: the owning reader thread
        if (seq < highest[publisher]) {
            reordered++;
        } else {
            highest[publisher] = seq;
        }
        if (seq >= measuredFrom) {
            measured++;
            lastMeasuredNanos = now;
            latency.recordValue(LatencyHistograms.clamp(now - fields[2]));
        }
    }

    long delivered() {
        return delivered;
    }

    long measured() {
        return measured;
    }

    long duplicates() {
        return duplicates;
    }

    long reordered() {
        return reordered;
    }

    long malformed() {
        return malformed;
    }

    long lastMeasuredNanos() {
        return lastMeasuredNanos;
    }

    /** Messages the publisher sent that never arrived here. */
    long lost(int publisher, long sent) {
        return sent - seen[publisher].cardinality();
    }
}
