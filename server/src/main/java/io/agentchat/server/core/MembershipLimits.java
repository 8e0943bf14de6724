package io.agentchat.server.core;

import io.agentchat.protocol.ErrorCode;
import io.agentchat.protocol.ProtocolException;
import io.agentchat.server.cluster.MinuteCounters;
import java.time.Clock;
import java.util.concurrent.ConcurrentHashMap;

/**
 * How often JOIN and LEAVE may change a channel's membership, per agent and per address. Each
 * change is announced to every member, so one cheap frame costs the server a frame per member:
 * without a bound, a few sockets alternating JOIN and LEAVE in a large channel flood all of its
 * members. Only JOIN is ever refused, and a JOIN/LEAVE cycle costs two changes. A JOIN or LEAVE
 * that changes nothing is not counted, and CREATE_CHANNEL is not either (a new channel has nobody
 * to tell; creations are bounded by the channel quotas instead).
 *
 * <p>In cluster mode an address's changes are also counted per minute over every relay
 * ({@link MinuteCounters}), so its budget is one for the cluster. A relay reads an address's count
 * once a minute, before the address's first JOIN there that minute ({@link #learn}, outside every
 * lock); after that it counts its own changes and takes the cluster's count from the answers to
 * them, never waiting: while another relay's changes are not yet in an answer here, an address can
 * go past the budget by those.
 */
final class MembershipLimits {
    private final KeyedRateLimiter perAgent;
    private final KeyedRateLimiter perAddress;
    private final Clock clock;
    private final int perAddressPerMinute;
    /** In cluster mode; null alone. */
    private final MinuteCounters cluster;
    /** Per address, the cluster's count of its changes in the minute named: {minute, count}. */
    private final ConcurrentHashMap<String, long[]> clusterCounts = new ConcurrentHashMap<>();

    /** @param cluster counts over every relay in cluster mode; null alone */
    MembershipLimits(Clock clock, int perAgentPerMinute, int perAddressPerMinute, MinuteCounters cluster) {
        this.perAgent = KeyedRateLimiter.perMinute(clock, perAgentPerMinute);
        this.perAddress = KeyedRateLimiter.perMinute(clock, perAddressPerMinute);
        this.clock = clock;
        this.perAddressPerMinute = perAddressPerMinute;
        this.cluster = cluster;
    }

    /** A JOIN that would add a member: takes one change from both budgets, or throws RATE_LIMITED. */
    void chargeJoin(String agentKey, String address) {
        if (!perAgent.tryAcquire(agentKey) || !perAddress.tryAcquire(address) || spentInCluster(address)) {
            throw new ProtocolException(ErrorCode.RATE_LIMITED, "Rate limit exceeded (too many joins and leaves)");
        }
        countInCluster(address);
    }

    /**
     * A LEAVE that removes a member spends a change where one is left, but is never refused: an
     * agent can always leave, and it can only leave what a charged JOIN let it enter.
     */
    void chargeLeave(String agentKey, String address) {
        perAgent.tryAcquire(agentKey);
        perAddress.tryAcquire(address);
        countInCluster(address);
    }

    private boolean spentInCluster(String address) {
        if (cluster == null || perAddressPerMinute == 0) {
            return false;
        }
        long[] counted = clusterCounts.get(address);
        return counted != null && counted[0] == minute() && counted[1] >= perAddressPerMinute;
    }

    /**
     * Before a JOIN, outside every lock: reads the address's count over the cluster for this minute
     * if this relay does not know it yet (one blocking round trip per address and minute).
     */
    void learn(String address) {
        if (cluster == null || perAddressPerMinute == 0) {
            return;
        }
        long minute = minute();
        long[] known = clusterCounts.get(address);
        if (known == null || known[0] != minute) {
            heard(address, minute, cluster.current("joins:" + address, minute));
        }
    }

    private void countInCluster(String address) {
        if (cluster == null || perAddressPerMinute == 0) {
            return;
        }
        long minute = minute();
        // Counted here at once; the cluster's answer, which includes it, replaces it if it is higher.
        clusterCounts.merge(address, new long[] {minute, 1},
                (old, one) -> old[0] == minute ? new long[] {minute, old[1] + 1} : one);
        cluster.increment("joins:" + address, minute, total -> heard(address, minute, total));
    }

    private void heard(String address, long minute, long total) {
        clusterCounts.merge(address, new long[] {minute, total},
                (old, now) -> old[0] > now[0] || (old[0] == now[0] && old[1] >= now[1]) ? old : now);
    }

    private long minute() {
        return clock.millis() / 60_000;
    }

    void sweep() {
        perAgent.sweep();
        perAddress.sweep();
        long minute = minute();
        clusterCounts.values().removeIf(counted -> counted[0] < minute);
    }
}
