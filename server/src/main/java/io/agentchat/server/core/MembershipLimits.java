package io.agentchat.server.core;

import io.agentchat.protocol.ErrorCode;
import io.agentchat.protocol.ProtocolException;
import java.time.Clock;

/**
 * How often JOIN and LEAVE may change a channel's membership, per agent and per address. Each
 * change is announced to every member, so one cheap frame costs the server a frame per member:
 * without a bound, a few sockets alternating JOIN and LEAVE in a large channel flood all of its
 * members. Only JOIN is ever refused, and a JOIN/LEAVE cycle costs two changes. A JOIN or LEAVE
 * that changes nothing is not counted, and CREATE_CHANNEL is not either (a new channel has nobody
 * to tell; creations are bounded by the channel quotas instead).
 */
final class MembershipLimits {
    private final KeyedRateLimiter perAgent;
    private final KeyedRateLimiter perAddress;

    MembershipLimits(Clock clock, int perAgentPerMinute, int perAddressPerMinute) {
        this.perAgent = KeyedRateLimiter.perMinute(clock, perAgentPerMinute);
        this.perAddress = KeyedRateLimiter.perMinute(clock, perAddressPerMinute);
    }

    /** A JOIN that would add a member: takes one change from both budgets, or throws RATE_LIMITED. */
    void chargeJoin(String agentKey, String address) {
        if (!perAgent.tryAcquire(agentKey) || !perAddress.tryAcquire(address)) {
            throw new ProtocolException(ErrorCode.RATE_LIMITED, "Rate limit exceeded (too many joins and leaves)");
        }
    }

    /**
     * A LEAVE that removes a member spends a change where one is left, but is never refused: an
     * agent can always leave, and it can only leave what a charged JOIN let it enter.
     */
    void chargeLeave(String agentKey, String address) {
        perAgent.tryAcquire(agentKey);
        perAddress.tryAcquire(address);
    }

    void sweep() {
        perAgent.sweep();
        perAddress.sweep();
    }
}
