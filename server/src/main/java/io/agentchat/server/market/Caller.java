package io.agentchat.server.market;

/**
 * The identified agent a frame came from, as the hub knows it.
 *
 * @param agentRef the agent's id with its {@code @}
 * @param pubkey   the PEM it identified with, or null for an ephemeral agent
 * @param proven   whether it proved possession of the key at IDENTIFY. Informational: every signed
 *                 marketplace frame is checked against {@code pubkey} anyway, which is the proof
 *                 that matters for Node clients that cannot answer the IDENTIFY challenge.
 * @param address  the remote address of its connection, or null when unknown; quotas that
 *                 throwaway keys must not escape (keys are free, addresses are not) count by it
 */
public record Caller(String agentRef, String pubkey, boolean proven, String address) {
    public Caller(String agentRef, String pubkey, boolean proven) {
        this(agentRef, pubkey, proven, null);
    }

    public boolean hasKey() {
        return pubkey != null;
    }
}
