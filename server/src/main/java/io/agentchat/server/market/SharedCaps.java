package io.agentchat.server.market;

import io.agentchat.protocol.ErrorCode;
import io.agentchat.protocol.ProtocolException;
import io.agentchat.server.cluster.PendingSlots;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The caps on pending items (proposals, verification requests) counted over the cluster
 * (docs/cluster.md, "Marketplace"). An item's lifecycle runs on its home relay only, so the home
 * takes its slots in the cluster's {@link PendingSlots} when the item is made and gives them back
 * when it stops being pending (or its pending time passes, even if no frame looks at it). This
 * relay remembers which slots its items hold, and writes them back whole every 30 s: after Redis
 * restarted empty, or lost a give, the counts are right again within that time.
 */
final class SharedCaps {
    private record Held(List<String> counters, long until) {
    }

    private final PendingSlots slots;
    private final Map<String, Held> held = new HashMap<>();

    SharedCaps(PendingSlots slots) {
        this.slots = slots;
    }

    /**
     * Takes one slot of each counter for item {@code id}, pending until {@code until} (ms): -1
     * when taken, else the index of the first counter whose cap the cluster already holds.
     * Blocking (one Redis round trip): never call it under a lock. CLUSTER_UNAVAILABLE when Redis
     * does not answer, rather than skipping the check.
     */
    int take(String id, long until, List<String> counters, List<Integer> caps, String unavailable) {
        int refused;
        try {
            refused = slots.take(counters, caps);
        } catch (RuntimeException e) {
            throw new ProtocolException(ErrorCode.CLUSTER_UNAVAILABLE, unavailable);
        }
        if (refused < 0) {
            synchronized (this) {
                held.put(id, new Held(List.copyOf(counters), until));
            }
        }
        return refused;
    }

    /** Item {@code id} is no longer pending (or was never kept): its slots go back. Never blocks. */
    synchronized void release(String id) {
        Held h = held.remove(id);
        if (h != null) {
            slots.give(h.counters());
        }
    }

    /** Gives back the slots of items whose pending time has passed. */
    synchronized void expireDue(long now) {
        held.values().removeIf(h -> {
            boolean due = now > h.until();
            if (due) {
                slots.give(h.counters());
            }
            return due;
        });
    }

    /** Writes what this relay's items hold to the cluster, replacing what it has for this relay. */
    synchronized void writeBack() {
        Map<String, Integer> counts = new HashMap<>();
        for (Held h : held.values()) {
            h.counters().forEach(counter -> counts.merge(counter, 1, Integer::sum));
        }
        slots.holdExactly(counts);
    }
}
