package io.agentchat.client;

import io.agentchat.identity.Identity;
import io.agentchat.identity.SignedText;
import io.agentchat.protocol.ClientFrame;
import io.agentchat.protocol.ServerFrame;
import java.util.regex.Pattern;

/**
 * Decides how (and whether) to answer another agent's VERIFY_REQUEST (PROTOCOL.md §7.6, W-9)
 * without becoming a signing oracle (Q19).
 *
 * <ul>
 *   <li>On a server that challenged us during the handshake (ours), we sign the domain-separated
 *       {@link SignedText#verification} text, which no other protocol string can equal.</li>
 *   <li>On any other server (a Node one verifies only the bare nonce) we sign the bare nonce, but
 *       only if it is 16-128 characters of {@code [A-Za-z0-9+/=_.:-]}: every signed text of §7.5
 *       contains {@code |}, <code>{</code> or {@code [}, so such a nonce can never be one of them.
 *       Node requesters send 32 hex characters, which pass.</li>
 * </ul>
 * Anything else is not answered; the requester sees the server's timeout.
 */
final class VerificationResponder {
    private static final Pattern SAFE_NONCE = Pattern.compile("[A-Za-z0-9+/=_.:-]{16,128}");

    private VerificationResponder() {
    }

    /**
     * The VERIFY_RESPONSE for {@code request}, or null if it must not be answered.
     *
     * @param domainSeparated whether the server is known to accept the domain-separated text
     */
    static ClientFrame.VerifyResponse answer(Identity identity, ServerFrame.VerifyRequest request,
            boolean domainSeparated) {
        if (identity == null || !request.isChallenge() || request.requestId() == null
                || Connection.CHALLENGE_FROM.equals(request.from())) {
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
        if (!SAFE_NONCE.matcher(nonce).matches()) {
            return null;
        }
        return new ClientFrame.VerifyResponse(request.requestId(), nonce, identity.sign(nonce));
    }
}
