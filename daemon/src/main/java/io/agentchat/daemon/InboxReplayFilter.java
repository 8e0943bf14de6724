package io.agentchat.daemon;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps a {@code replay:true} MSG that the inbox already holds out of it ({@link ReplayDedup}),
 * across reconnects and restarts: at start its memory is seeded from the inbox's tail
 * ({@link InboxTail#recentLines}).
 */
final class InboxReplayFilter {

    private static final Logger LOG = LoggerFactory.getLogger(InboxReplayFilter.class);

    private final ReplayDedup dedup;
    private final AtomicLong duplicates = new AtomicLong();

    private InboxReplayFilter(int capacity) {
        this.dedup = new ReplayDedup(capacity);
    }

    /** A filter remembering up to {@code capacity} MSG keys, seeded with the inbox tail's frames. */
    static InboxReplayFilter seededFrom(List<JsonNode> tail, int capacity) {
        InboxReplayFilter filter = new InboxReplayFilter(capacity);
        for (JsonNode frame : tail) {
            filter.dedup.remember(frame);
        }
        LOG.debug("Seeded replay de-duplication with {} keys", filter.dedup.size());
        return filter;
    }

    /** False, and counted, when {@code frame} is a replayed MSG already stored. */
    boolean admit(JsonNode frame) {
        if (dedup.admit(frame)) {
            return true;
        }
        duplicates.incrementAndGet();
        LOG.debug("Skipped a replayed MSG already in the inbox");
        return false;
    }

    long duplicatesSkipped() {
        return duplicates.get();
    }
}
