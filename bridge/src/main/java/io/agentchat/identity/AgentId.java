package io.agentchat.identity;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * Agent ids and fingerprints derived from a public key PEM (docs/protocol.md §3.2).
 *
 * <p>The hash covers the PEM <em>text</em> exactly as given, not the key: the same key in another
 * layout gets another id. Callers must therefore pass the identity file's {@code pubkey} string
 * unchanged, and servers should accept only canonical PEMs (see {@link Pem#parseCanonicalPublicKey}).
 * The values carry no {@code @} prefix; callers add it where the wire needs one.
 */
public final class AgentId {

    private AgentId() {
    }

    /** The first 8 lower-case hex characters of SHA-256 over the UTF-8 bytes of {@code pubkeyPem}. */
    public static String fromPubkey(String pubkeyPem) {
        return hashHex(pubkeyPem).substring(0, 8);
    }

    /** The first 16 lower-case hex characters of the same hash, as shown by {@code identity --show}. */
    public static String fingerprint(String pubkeyPem) {
        return hashHex(pubkeyPem).substring(0, 16);
    }

    private static String hashHex(String pubkeyPem) {
        if (pubkeyPem == null) {
            throw new IdentityException("public key PEM is null");
        }
        try {
            byte[] hash = MessageDigest.getInstance("SHA-256").digest(pubkeyPem.getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(hash);
        } catch (NoSuchAlgorithmException e) {
            // Every Java platform is required to provide SHA-256.
            throw new IllegalStateException(e);
        }
    }
}
