package io.agentchat.server.cluster;

import java.util.List;
import java.util.function.Consumer;

/**
 * Where the cluster's proposals and verification requests are kept (docs/cluster.md,
 * "Marketplace"): each stays in the memory of the relay it was made on, its home, and Redis only
 * names the home of each id. A party's ACCEPT, REJECT, COMPLETE, DISPUTE or VERIFY_RESPONSE sent to
 * another relay is forwarded there, with the caller that relay established, and handled as on one
 * relay; the caller's answer comes back to the relay it sent the frame to, which hands it to that
 * connection. The relay's core sees only this interface.
 */
public interface MarketExchange {

    /**
     * A marketplace frame a party sent to another relay, with who sent it as that relay established
     * it; {@code ticket} names it to the sending relay when its answer comes back.
     */
    record Forwarded(String frame, String agentRef, String pubkey, boolean proven, String address, long ticket) {
    }

    /** Hears the cluster's marketplace traffic for this relay; runs on one thread of the exchange's, never on Redis's I/O thread. */
    interface Listener {
        /**
         * A frame forwarded here, to handle as on one relay; its frames for the caller go to
         * {@code answer}, once, when it is handled, and reach the connection that sent it.
         */
        void forwarded(Forwarded forwarded, Consumer<List<String>> answer);

        /** The frames for the caller of a frame this relay forwarded, by its ticket. */
        void answered(long ticket, List<String> frames);
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
     * as kept (or its home is gone). Its answer comes back to this relay's listener. Blocking: one
     * Redis round trip; {@link ClusterUnansweredException} when Redis did not answer in time (it
     * may have sent the frame on), any other exception when it certainly did not.
     */
    boolean forward(String itemId, Forwarded forwarded);
}
