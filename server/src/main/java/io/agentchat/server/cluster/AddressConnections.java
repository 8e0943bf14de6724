package io.agentchat.server.cluster;

/**
 * The connections of each client address over the whole cluster (docs/cluster.md, "Connections
 * per address"), so a client cannot multiply its share by the number of relays. Counted per
 * relay in Redis; a relay whose heartbeat has lapsed no longer counts.
 */
public interface AddressConnections {

    /**
     * Counts one more connection from {@code address} on this relay, unless the live relays
     * already hold {@code max} of them. When Redis does not answer, admits (the relay's own limit
     * still holds) and logs it.
     */
    boolean admit(String address, int max);

    /** One connection from {@code address} on this relay closed; never blocks. */
    void release(String address);
}
