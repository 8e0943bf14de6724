package io.agentchat.server.core;

import java.time.Duration;
import java.util.Objects;

/**
 * What the relay keeps in memory so a client misses nothing across a short disconnect
 * (docs/protocol.md, "Resume"): each channel's recovery history, and the DMs held for a proven
 * identity that went away. Nothing of it is ever written to disk.
 *
 * @param historyMessages   channel messages kept per channel for recovery (0: none)
 * @param historyAge        how long a channel message stays recoverable
 * @param historyBytes      bound on all channels' recovery histories together
 * @param heldMessages      DMs held for one identity that went away (0: none)
 * @param heldAge           how long after the identity went away its DMs are held
 * @param heldBytesPerAgent bound on the DMs held for one identity
 * @param heldBytes         bound on all held DMs together
 */
public record RecoveryConfig(int historyMessages, Duration historyAge, long historyBytes, int heldMessages,
                             Duration heldAge, long heldBytesPerAgent, long heldBytes) {

    public RecoveryConfig {
        Objects.requireNonNull(historyAge, "historyAge");
        Objects.requireNonNull(heldAge, "heldAge");
        if (historyMessages < 0 || historyBytes < 0 || heldMessages < 0 || heldBytesPerAgent < 0 || heldBytes < 0) {
            throw new IllegalArgumentException("recovery bounds must be >= 0");
        }
        if (historyAge.isNegative() || heldAge.isNegative()) {
            throw new IllegalArgumentException("recovery ages must be >= 0");
        }
    }

    /**
     * One sender address's share of all held DMs: identities are free, so without it one sender could
     * fill the budget with mailboxes of its own throw-away keys and nothing would be held for anyone else.
     */
    public long heldBytesPerAddress() {
        return heldBytes / 8;
    }

    /** 1,000 messages or 5 minutes per channel, 64 MiB in all; 100 DMs or 5 minutes per identity. */
    public static RecoveryConfig defaults() {
        return new RecoveryConfig(1000, Duration.ofMinutes(5), 64L << 20, 100, Duration.ofMinutes(5), 512L << 10,
                32L << 20);
    }
}
