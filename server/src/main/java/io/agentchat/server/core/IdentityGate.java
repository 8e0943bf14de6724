package io.agentchat.server.core;

import io.agentchat.identity.AgentId;
import io.agentchat.identity.Ed25519;
import io.agentchat.identity.IdentityException;
import io.agentchat.identity.SignedText;
import io.agentchat.identity.Pem;
import io.agentchat.protocol.ClientFrame;
import io.agentchat.protocol.ErrorCode;
import io.agentchat.protocol.ProtocolException;
import io.agentchat.protocol.ServerFrame;
import java.security.SecureRandom;
import java.util.HexFormat;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * IDENTIFY, and proof of key possession. A key-based IDENTIFY is answered with the key-derived id
 * as the original server does, preceded by a challenge. Only the answer to that challenge proves
 * the session holds the key; only then is the session routed to as the id, and may it displace
 * another connection holding the id. Before that it may read public channels unseen and post
 * messages it signed itself, each signature fresh and never seen before (the original's client
 * signs every message but never answers the challenge).
 */
final class IdentityGate {
    static final String CHALLENGE_PREFIX = "AGENTCHAT-IDENTIFY-";
    private static final Logger LOG = LoggerFactory.getLogger("agentchat.server");
    private static final long PROOF_WINDOW_MILLIS = 120_000;

    private final Wire wire;
    private final AgentRegistry agents;
    private final ChannelService channels;
    private final String serverName;
    private final SecureRandom random = new SecureRandom();
    private final SignatureReplayGuard replayGuard = new SignatureReplayGuard(PROOF_WINDOW_MILLIS, 100_000);

    IdentityGate(Wire wire, AgentRegistry agents, ChannelService channels, String serverName) {
        this.wire = wire;
        this.agents = agents;
        this.channels = channels;
        this.serverName = serverName;
    }

    void identify(AgentSession session, ClientFrame.Identify frame) {
        if (session.identified()) {
            throw ProtocolException.invalid("Already identified");
        }
        if (frame.pubkey() == null) {
            String id = agents.registerEphemeral(session);
            session.identify(id, frame.name(), null);
            LOG.info("identify id=@{} key=false", id);
            wire.send(session, new ServerFrame.Welcome(wire.now(), session.ref(), serverName));
            return;
        }
        try {
            Pem.parseCanonicalPublicKey(frame.pubkey());
        } catch (IdentityException e) {
            throw ProtocolException.invalid("Invalid public key format (must be Ed25519 PEM)");
        }
        String id = AgentId.fromPubkey(frame.pubkey());
        session.identify(id, frame.name(), frame.pubkey());
        String requestId = "identify_" + hex(8);
        String nonce = CHALLENGE_PREFIX + hex(16);
        session.setChallenge(requestId, nonce);
        // The challenge goes first so a client that answers it does so before anything else it sends.
        wire.send(session, ServerFrame.VerifyRequest.challenge(wire.now(), requestId, "@server", nonce));
        // Not registered under the id yet: a public key is public, so only the answer routes the id here.
        LOG.info("identify id=@{} key=true", id);
        wire.send(session, new ServerFrame.Welcome(wire.now(), session.ref(), serverName));
    }

    /** Handles an answer to our IDENTIFY challenge; false if the response is for something else. */
    boolean answerChallenge(AgentSession session, ClientFrame.VerifyResponse response) {
        String expected = session.challengeId();
        if (expected == null || !expected.equals(response.requestId())) {
            return false;
        }
        boolean valid = response.nonce().equals(session.challengeNonce())
                && Ed25519.verifyStrict(session.pubkey(), response.nonce(), response.sig());
        if (!valid) {
            wire.send(session, new ServerFrame.VerifyFailed(wire.now(), response.requestId(), null,
                    "Signature verification failed", Boolean.FALSE));
            return true;
        }
        prove(session);
        wire.send(session, new ServerFrame.VerifySuccess(wire.now(), response.requestId(), null, null, Boolean.TRUE));
        return true;
    }

    /**
     * Checks a MSG's signature and says whether the sender is proven. An ephemeral or proven
     * sender may sign or not; a signature it gives must be valid. A key-based sender that has not
     * answered the challenge must sign, with a fresh timestamp and a signature never seen before
     * (by its bytes, decoded strictly), so a message copied from a channel cannot be sent again.
     */
    boolean checkMessageSignature(AgentSession session, ClientFrame.Msg msg) {
        if (!session.hasKey()) {
            return false;
        }
        boolean signed = msg.sig() != null && msg.ts() != null;
        if (!signed) {
            if (session.proven()) {
                return true;
            }
            throw new ProtocolException(ErrorCode.SIGNATURE_REQUIRED, "Prove you hold the key of " + session.ref()
                    + ": answer the IDENTIFY challenge, or sign the message");
        }
        byte[] signature = Ed25519.decodeSignatureStrict(msg.sig());
        if (signature == null || !Ed25519.verifyStrict(session.pubkey(), SignedText.msg(msg.to(), msg.content(), msg.ts()),
                msg.sig())) {
            throw ProtocolException.invalid("Invalid message signature");
        }
        long now = wire.now();
        // Every fresh signature is remembered, a proven sender's too, so nobody else can send it again.
        boolean firstUse = replayGuard.fresh(msg.ts(), now) && replayGuard.firstUse(signature, now);
        if (session.proven()) {
            return true;
        }
        if (!firstUse) {
            throw new ProtocolException(ErrorCode.SIGNATURE_REQUIRED, "Signed message is stale or was already sent;"
                    + " answer the IDENTIFY challenge to send as " + session.ref());
        }
        return false;
    }

    /** The refusal of anything that acts as the id from a key-based session that has not proved it. */
    static ProtocolException proofRequired(AgentSession session) {
        return new ProtocolException(ErrorCode.AUTH_REQUIRED, "Prove you hold the key of " + session.ref()
                + " first: answer the IDENTIFY challenge (VERIFY_REQUEST from @server)");
    }

    /** Challenge answered: the session holds the key, the id is its own, and it becomes visible. */
    private void prove(AgentSession session) {
        session.markProven();
        AgentSession previous = agents.takeOver(session.id(), session);
        if (previous != null && previous != session) {
            kick(previous);
        }
        if (session.closed()) {
            agents.remove(session); // closed while this frame was handled: the clean-up already ran
            return;
        }
        channels.revealUnseen(session);
        LOG.info("proven id={}", session.ref());
    }

    private void kick(AgentSession old) {
        LOG.info("identity-takeover id={}", old.ref());
        wire.error(old, ErrorCode.INVALID_MSG, "Disconnected: Another connection claimed this identity");
        channels.leaveAll(old);
        old.close(1000, "Identity claimed by new connection");
    }

    private String hex(int bytes) {
        byte[] buffer = new byte[bytes];
        random.nextBytes(buffer);
        return HexFormat.of().formatHex(buffer);
    }

}
