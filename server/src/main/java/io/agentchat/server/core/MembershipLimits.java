package io.agentchat.server.core;

import io.agentchat.protocol.ErrorCode;
import io.agentchat.protocol.ProtocolException;
import java.time.Clock;

/**
 * How often JOIN and LEAVE may change a channel's membership, per agent and per address. Each
 * change is announced to every member, so one cheap frame costs the server a frame per member:
 * without a bound, a few sockets alternating JOIN and LEAVE in a large channel flood all of its
 * members. A JOIN or LEAVE that changes nothing is not counted, and CREATE_CHANNEL is not either
 * (a new channel has nobody to tell; creations are bounded by the channel quotas instead).
 */
final class MembershipLimits {
    private final KeyedRateLimiter perAgent;
    private final KeyedRateLimiter perAddress;

    MembershipLimits(Clock clock, int perAgentPerMinute, int perAddressPerMinute) {
        this.perAgent = KeyedRateLimiter.perMinute(clock, perAgentPerMinute);
        this.perAddress = KeyedRateLimiter.perMinute(clock, perAddressPerMinute);
    }

    /** Takes one change from both budgets, or throws RATE_LIMITED. */
    void charge(String agentKey, String address) {
        if (!perAgent.tryAcquire(agentKey) || !perAddress.tryAcquire(address)) {
            throw new ProtocolException(ErrorCode.RATE_LIMITED, "Rate limit exceeded (too many joins and leaves)");
        }
    }

    void sweep() {
        perAgent.sweep();
        perAddress.sweep();
    }
}
