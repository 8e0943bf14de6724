package io.agentchat.server.market;

/**
 * The identified agent a frame came from, as the hub knows it.
 *
 * @param agentRef the agent's id with its {@code @}
 * @param pubkey   the PEM it identified with, or null for an ephemeral agent
 * @param proven   whether it answered the IDENTIFY challenge. The hub hands a key-based caller's
 *                 frames here only once it has (searching skills aside), and every signed frame is
 *                 checked against {@code pubkey} as well.
 * @param address  the remote address of its connection, or null when unknown; quotas that
 *                 throwaway keys must not escape (keys are free, addresses are not) count by it
 */
public record Caller(String agentRef, String pubkey, boolean proven, String address) {
    /** A caller whose address is unknown, as in tests that drive the market without a connection. */
    Caller(String agentRef, String pubkey, boolean proven) {
        this(agentRef, pubkey, proven, null);
    }

    boolean hasKey() {
        return pubkey != null;
    }
}
