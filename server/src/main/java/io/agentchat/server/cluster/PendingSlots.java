package io.agentchat.server.cluster;

import java.util.List;
import java.util.Map;

/**
 * Counters of pending marketplace items over the whole cluster (docs/cluster.md, "Marketplace"),
 * so the caps on pending proposals and verification requests do not multiply by the number of
 * relays. Each relay counts the slots its own items hold; a check adds up the counts of the relays
 * whose heartbeat is alive. Counter names are opaque strings the marketplace makes.
 */
public interface PendingSlots {

    /**
     * Takes one slot of each counter for this relay, unless the live relays together already hold
     * {@code caps.get(i)} slots of counter {@code i}: then nothing is taken and the answer is the
     * first such {@code i}; -1 when taken. Blocking: one Redis round trip; throws when Redis does
     * not answer.
     */
    int take(List<String> counters, List<Integer> caps);

    /** Gives back one slot of each counter this relay took; never blocks. */
    void give(List<String> counters);

    /**
     * Replaces this relay's counts with {@code counts}, what it really holds, and renews their
     * lifetime: after Redis restarted empty, or a give was lost. Never blocks.
     */
    void holdExactly(Map<String, Integer> counts);
}
