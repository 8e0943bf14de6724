package io.agentchat.server.market;

import io.agentchat.protocol.ServerFrame;

/** What the marketplace needs from the relay: who is online, their keys, and sending frames. */
public interface Delivery {
    /** Whether an agent with this {@code @id} is connected and identified. */
    boolean online(String agentRef);

    /** The PEM the online agent identified with, or null (offline or ephemeral). */
    String pubkeyOf(String agentRef);

    /** Sends to the agent if it is online; otherwise the frame is dropped, as in the reference. */
    void toAgent(String agentRef, ServerFrame frame);

    /** Sends to the current members of the channel, if it exists; not buffered for replay. */
    void toChannel(String channel, ServerFrame frame);

    /**
     * The marketplace keeps proposal or verification request {@code id} here for up to
     * {@code ttlMillis}; called before either party hears of it. A relay alone has nothing to do.
     */
    default void opened(String id, long ttlMillis) {
    }
}
