package io.agentchat.daemon;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps a {@code replay:true} MSG that the inbox already holds out of it ({@link ReplayDedup}),
 * across reconnects and restarts: at start its memory is seeded from the last {@code seedBytes}
 * of the inbox, reaching into {@code inbox.jsonl.1} when the current file is shorter than that.
 */
final class InboxReplayFilter {

    private static final Logger LOG = LoggerFactory.getLogger(InboxReplayFilter.class);

    private final ReplayDedup dedup;
    private final AtomicLong duplicates = new AtomicLong();

    private InboxReplayFilter(int capacity) {
        this.dedup = new ReplayDedup(capacity);
    }

    /** A filter remembering up to {@code capacity} MSG keys, seeded from the inbox's tail. */
    static InboxReplayFilter seededFrom(PersonaPaths paths, int capacity, int seedBytes) throws IOException {
        InboxReplayFilter filter = new InboxReplayFilter(capacity);
        long current = Files.isRegularFile(paths.inbox()) ? Files.size(paths.inbox()) : 0;
        int fromRotated = (int) Math.max(0, seedBytes - current);
        List<String> lines = new ArrayList<>(InboxTail.lastLines(paths.inboxRotated(), fromRotated));
        lines.addAll(InboxTail.lastLines(paths.inbox(), seedBytes));
        for (String line : lines) {
            JsonNode frame = InboxLine.parseObject(line);
            if (frame != null) {
                filter.dedup.remember(frame);
            }
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
