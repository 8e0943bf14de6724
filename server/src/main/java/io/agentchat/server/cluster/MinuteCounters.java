package io.agentchat.server.cluster;

import java.util.function.LongConsumer;

/**
 * Counts per key and per minute, added up over every relay of the cluster: how a budget per
 * address is spent on all relays at once (docs/cluster.md, "Joins and leaves per address").
 */
public interface MinuteCounters {

    /**
     * Adds one to {@code key}'s count of minute {@code minute}, without waiting; {@code total}
     * receives the count over all relays once Redis has answered (never, if it did not).
     */
    void increment(String key, long minute, LongConsumer total);

    /** {@code key}'s count of minute {@code minute} over all relays; blocks for one round trip, 0 when Redis does not answer. */
    long current(String key, long minute);
}
