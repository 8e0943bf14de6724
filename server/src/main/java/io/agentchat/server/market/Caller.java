package io.agentchat.server.market;

/**
 * The identified agent a frame came from, as the hub knows it.
 *
 * @param agentRef the agent's id with its {@code @}
 * @param pubkey   the PEM it identified with, or null for an ephemeral agent
 * @param proven   whether it answered the IDENTIFY challenge. The hub hands a key-based caller's
 *                 frames here only once it has (searching skills aside), and every signed frame is
 *                 checked against {@code pubkey} as well.
 */
public record Caller(String agentRef, String pubkey, boolean proven) {
    public boolean hasKey() {
        return pubkey != null;
    }
}
