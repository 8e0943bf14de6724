package io.agentchat.client;

import io.agentchat.identity.Identity;
import io.agentchat.identity.SignedText;
import io.agentchat.protocol.ClientFrame;
import io.agentchat.protocol.ServerFrame;
import java.net.URI;
import java.util.function.Function;
import java.util.regex.Pattern;

/**
 * Decides how (and whether) to answer a VERIFY_REQUEST without becoming a signing oracle: the
 * server's identity challenge during the handshake, and another agent's request after it.
 *
 * <p>The server's identity challenge is answered only when it comes from {@code @server} and its
 * nonce has the {@code AGENTCHAT-IDENTIFY-} prefix (at most 128 characters), and what we sign names
 * the host we dialled ({@link SignedText#identifyChallenge}): a hostile server that forwards another
 * server's challenge to us gets an answer that names itself, which the other server refuses. For a
 * peer:
 * <ul>
 *   <li>On a server that challenged us during the handshake (ours), we sign the domain-separated
 *       {@link SignedText#verification} text, which no other protocol string can equal.</li>
 *   <li>On any other server (the original verifies only the bare nonce) we sign the bare nonce, but
 *       only if it is 16-128 characters of {@code [A-Za-z0-9+/=_.:-]} and does not start with
 *       {@code AGENTCHAT-}: every other signed text contains {@code |}, <code>{</code> or
 *       {@code [}, so such a nonce can never be one of them. The original's requesters send 32 hex
 *       characters, which pass.</li>
 * </ul>
 * Anything else is not answered; the requester sees the server's timeout.
 */
final class VerificationResponder {
    private static final String CHALLENGE_FROM = "@server";
    private static final String CHALLENGE_PREFIX = "AGENTCHAT-IDENTIFY-";
    private static final int MAX_CHALLENGE_LENGTH = 128;
    /** Nonces of this protocol's own texts: never signed bare for a peer. */
    private static final String RESERVED_PREFIX = "AGENTCHAT-";
    private static final Pattern SAFE_NONCE = Pattern.compile("[A-Za-z0-9+/=_.:-]{16,128}");

    private VerificationResponder() {
    }

    /**
     * The answer to the server's identity challenge, received before WELCOME, or null if it is not one.
     *
     * @param dialled the server URI this client connected to (never anything the server said)
     */
    static ClientFrame.VerifyResponse answerChallenge(Identity identity, ServerFrame.VerifyRequest challenge,
            URI dialled) {
        String nonce = challenge.nonce();
        if (identity == null || !challenge.isChallenge() || !CHALLENGE_FROM.equals(challenge.from())
                || challenge.requestId() == null || !nonce.startsWith(CHALLENGE_PREFIX)
                || nonce.length() > MAX_CHALLENGE_LENGTH) {
            return null;
        }
        String host = SignedText.challengeHost(dialled.getRawAuthority());
        return new ClientFrame.VerifyResponse(challenge.requestId(), nonce,
                identity.sign(SignedText.identifyChallenge(host, nonce)));
    }

    /**
     * Matches the server's reply to our {@code response}: the responder's copy of VERIFY_SUCCESS or
     * VERIFY_FAILED (the one with {@code verified}; a requester's copy has none) for its request id.
     */
    static Function<ServerFrame, ServerFrame> replyTo(ClientFrame.VerifyResponse response) {
        String id = response.requestId();
        return f -> f instanceof ServerFrame.VerifySuccess s && s.verified() != null && id.equals(s.requestId())
                || f instanceof ServerFrame.VerifyFailed x && x.verified() != null && id.equals(x.requestId())
                ? f : null;
    }

    /**
     * The VERIFY_RESPONSE for another agent's {@code request}, or null if it must not be answered.
     *
     * @param domainSeparated whether the server is known to accept the domain-separated text
     */
    static ClientFrame.VerifyResponse answer(Identity identity, ServerFrame.VerifyRequest request,
            boolean domainSeparated) {
        if (identity == null || !request.isChallenge() || request.requestId() == null
                || CHALLENGE_FROM.equals(request.from())) {
            return null;
        }
        String nonce = request.nonce();
        if (domainSeparated) {
            if (nonce.length() > 128) {
                return null;
            }
            return new ClientFrame.VerifyResponse(request.requestId(), nonce,
                    identity.sign(SignedText.verification(request.requestId(), nonce)));
        }
        if (!SAFE_NONCE.matcher(nonce).matches() || nonce.startsWith(RESERVED_PREFIX)) {
            return null;
        }
        return new ClientFrame.VerifyResponse(request.requestId(), nonce, identity.sign(nonce));
    }
}
