package io.agentchat.server.market;

/**
 * The identified agent a frame came from, as the hub knows it.
 *
 * @param agentRef the agent's id with its {@code @}
 * @param pubkey   the PEM it identified with, or null for an ephemeral agent
 * @param proven   whether it proved possession of the key at IDENTIFY. Informational: every signed
 *                 marketplace frame is checked against {@code pubkey} anyway, which is the proof
 *                 that matters for Node clients that cannot answer the IDENTIFY challenge.
 */
public record Caller(String agentRef, String pubkey, boolean proven) {
    public boolean hasKey() {
        return pubkey != null;
    }
}
