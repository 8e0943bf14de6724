package io.agentchat.server.core;

import io.agentchat.identity.Ed25519;
import io.agentchat.identity.SignedText;
import io.agentchat.protocol.ClientFrame;
import io.agentchat.protocol.ErrorCode;
import io.agentchat.protocol.ProtocolException;
import io.agentchat.server.cluster.AgentDirectory;
import java.nio.charset.StandardCharsets;

/**
 * The signature of a MSG, and the memory that makes it single-use. A proven sender may sign or
 * not, but a signature it gives must be valid. An ephemeral sender has no key to check a signature
 * against, so its {@code sig} is never relayed; nor is one without an integer {@code ts}, which
 * leaves no signed text to check. A key-based sender that has not
 * answered the challenge must sign, with a {@code ts} within {@link #WINDOW_MILLIS} of the server's
 * clock and a signature never relayed here before, so a message copied from a channel cannot be
 * sent again under the id.
 *
 * <p>Checking and remembering are two steps: {@link #check} before the message is routed, and
 * {@link #commit} just before it is relayed, so a message that is refused (rate limit, unknown
 * target, not a member) leaves nothing behind and costs no memory. Every fresh signature that is
 * relayed is remembered until its {@code ts} is no longer fresh, a proven sender's too; one that
 * cannot be remembered (its {@code ts} is ahead of the window, or the memory is full) is relayed
 * without {@code sig}, since a signature never published cannot be replayed. In a cluster the
 * signatures are remembered in Redis too, so a replay on another relay is refused as well.
 */
final class MessageSignatures {
    static final long WINDOW_MILLIS = 120_000;
    static final int CAPACITY = 100_000;
    /**
     * How far the relays of a cluster may disagree about the time: each judges a {@code ts} by its own
     * clock, so a signature is remembered in Redis this much longer than the window, and from this much
     * before it opens; else one stale (or expired in Redis) by a relay's clock could be replayed on a
     * relay whose clock is behind.
     */
    static final long CLUSTER_CLOCK_SKEW_MILLIS = 30_000;

    /** A checked MSG: who vouches for it, and its signature if it has one. */
    record Checked(boolean verified, boolean unproven, byte[] signature, long signedTs) {
        boolean signed() {
            return signature != null;
        }
    }

    private final SignatureReplayGuard guard = new SignatureReplayGuard(CAPACITY);
    private final Wire wire;
    private final AgentDirectory cluster;

    /**
     * @param cluster where every relay of a cluster remembers signatures too, so a message relayed
     *                by one is refused when replayed on another; null for a relay alone
     */
    MessageSignatures(Wire wire, AgentDirectory cluster) {
        this.wire = wire;
        this.cluster = cluster;
    }

    Checked check(AgentSession session, ClientFrame.Msg msg) {
        if (!session.hasKey()) {
            return new Checked(false, false, null, 0);
        }
        boolean unproven = !session.proven();
        if (msg.sig() == null || msg.ts() == null) {
            if (unproven) {
                throw new ProtocolException(ErrorCode.SIGNATURE_REQUIRED, "Prove you hold the key of " + session.ref()
                        + ": answer the IDENTIFY challenge, or sign the message");
            }
            return new Checked(true, false, null, 0);
        }
        // Decoded once, strictly, and checked against the key parsed at IDENTIFY: no PEM per message.
        byte[] signature = Ed25519.decodeSignatureStrict(msg.sig());
        if (signature == null || !Ed25519.verify(session.publicKey(),
                SignedText.msg(msg.to(), msg.content(), msg.ts()).getBytes(StandardCharsets.UTF_8), signature)) {
            throw ProtocolException.invalid("Invalid message signature");
        }
        if (unproven && Math.abs(wire.now() - msg.ts()) > WINDOW_MILLIS) {
            throw stale(session);
        }
        return new Checked(!unproven, unproven, signature, msg.ts());
    }

    /**
     * Remembers the signature of a message about to be relayed; says whether it may be relayed
     * with its signature. For an unproven sender a signature seen before (or no room to remember
     * it) refuses the message.
     */
    boolean commit(AgentSession session, Checked checked) {
        if (!checked.signed()) {
            return false;
        }
        long now = wire.now();
        long expiresAt = checked.signedTs() + WINDOW_MILLIS;
        if (checked.signedTs() - now > WINDOW_MILLIS) {
            return false; // ahead of the window: it would stay usable longer than we remember it
        }
        if (expiresAt <= now) {
            rememberInCluster(checked, expiresAt, now);
            return true; // stale: nobody unproven can use it here any more
        }
        SignatureReplayGuard.Use use = guard.use(checked.signature(), expiresAt, now);
        if (checked.unproven() && use != SignatureReplayGuard.Use.FIRST) {
            throw stale(session);
        }
        if (use == SignatureReplayGuard.Use.FULL) {
            return false; // relayed without it: a signature never published needs no memory, here or in Redis
        }
        rememberInCluster(checked, expiresAt, now);
        return true;
    }

    /**
     * A proven sender's published signature, into Redis (an unproven sender's is there already:
     * {@link #checkInCluster}). Sent before the message itself on the same Redis connection, so it
     * is remembered before anyone sees it.
     */
    private void rememberInCluster(Checked checked, long expiresAt, long now) {
        long inCluster = expiresAt + CLUSTER_CLOCK_SKEW_MILLIS - now;
        if (cluster != null && !checked.unproven() && inCluster > 0) {
            cluster.used(checked.signature(), inCluster);
        }
    }

    /**
     * In a cluster, an unproven sender's signature must be new to every relay: asked of Redis (one
     * round trip, so only once the message passed the rate limit) before the message goes anywhere.
     * Refused when Redis cannot say. Nothing to do for a relay alone or a proven sender.
     */
    void checkInCluster(AgentSession session, Checked checked) {
        if (cluster == null || !checked.unproven()) {
            return;
        }
        long ttl = checked.signedTs() + WINDOW_MILLIS + CLUSTER_CLOCK_SKEW_MILLIS - wire.now();
        byte[] signature = checked.signature();
        boolean first;
        try {
            first = ttl > 0 && cluster.firstUse(signature, ttl);
        } catch (RuntimeException e) {
            throw new ProtocolException(ErrorCode.SIGNATURE_REQUIRED, "The cluster cannot check the signature now;"
                    + " answer the IDENTIFY challenge to send as " + session.ref());
        }
        if (!first) {
            throw stale(session);
        }
    }

    private static ProtocolException stale(AgentSession session) {
        return new ProtocolException(ErrorCode.SIGNATURE_REQUIRED, "Signed message is stale or was already sent;"
                + " answer the IDENTIFY challenge to send as " + session.ref());
    }
}
