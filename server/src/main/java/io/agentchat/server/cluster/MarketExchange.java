package io.agentchat.server.cluster;

/**
 * Where the cluster's proposals and verification requests are kept (docs/cluster.md,
 * "Marketplace"): each stays in the memory of the relay it was made on, its home, and Redis only
 * names the home of each id. A party's ACCEPT, REJECT, COMPLETE, DISPUTE or VERIFY_RESPONSE sent to
 * another relay is forwarded there, with the caller that relay established, and handled as on one
 * relay. The relay's core sees only this interface.
 */
public interface MarketExchange {

    /** A marketplace frame a party sent to another relay, with who sent it as that relay established it. */
    record Forwarded(String frame, String agentRef, String pubkey, boolean proven, String address) {
    }

    /** Hears the frames forwarded to this relay; runs on one thread of the exchange's, never on Redis's I/O thread. */
    @FunctionalInterface
    interface Listener {
        void forwarded(Forwarded forwarded);
    }

    void listen(Listener listener);

    /**
     * This relay keeps {@code itemId} (a proposal or verification request) for {@code ttlMillis}.
     * Never blocks; issued ahead of anything this relay sends next, so a party that hears of the id
     * finds its home.
     */
    void home(String itemId, long ttlMillis);

    /**
     * Sends {@code forwarded} to the relay that keeps {@code itemId}; false when no relay names it
     * as kept (or its home is gone). Blocking: one Redis round trip.
     */
    boolean forward(String itemId, Forwarded forwarded);
}
