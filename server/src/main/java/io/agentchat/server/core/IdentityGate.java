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
 * IDENTIFY, and proof of key possession (fixes Q6 and Q8). A key-based IDENTIFY is answered with
 * the key-derived id as the reference does, preceded by a challenge; the session becomes proven
 * when it answers the challenge or sends a correctly signed, fresh, never-seen message (which the
 * reference client does by itself). Only then may it take the id over from another connection.
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
        AgentSession holder = agents.registerIfAbsent(id, session);
        if (session.closed()) {
            agents.remove(session);
        }
        LOG.info("identify id=@{} key=true holder={}", id, holder == null ? "self" : "other");
        wire.send(session, new ServerFrame.Welcome(wire.now(), session.ref(), serverName));
    }

    /** Handles an answer to our IDENTIFY challenge; false if the response is for something else. */
    boolean answerChallenge(AgentSession session, ClientFrame.VerifyResponse response) {
        String expected = session.challengeId();
        if (expected == null || !expected.equals(response.requestId())) {
            return false;
        }
        boolean valid = response.nonce().equals(session.challengeNonce())
                && Ed25519.verify(session.pubkey(), response.nonce(), response.sig());
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
     * Checks a MSG's signature. A key-based session that has not answered the challenge must sign
     * (the reference client always does). Its first fresh, never-seen signature makes it a signed
     * sender, which may take the id over from a holder that has not answered the challenge either
     * (the reference's takeover between Node clients), but never from one that has: a signed message
     * copied from another server could otherwise be replayed here within the freshness window.
     */
    void checkMessageSignature(AgentSession session, ClientFrame.Msg msg) {
        if (!session.hasKey()) {
            return;
        }
        boolean signed = msg.sig() != null && msg.ts() != null;
        if (!signed) {
            if (session.proven()) {
                return;
            }
            throw new ProtocolException(ErrorCode.SIGNATURE_REQUIRED,
                    "Prove you hold the key of " + session.ref() + ": sign the message or answer the IDENTIFY challenge");
        }
        String text = SignedText.msg(msg.to(), msg.content(), msg.ts());
        if (!Ed25519.verify(session.pubkey(), text, msg.sig())) {
            throw ProtocolException.invalid("Invalid message signature");
        }
        long now = wire.now();
        // Only fresh signatures are remembered: stale ones prove nothing, so they need no memory.
        boolean firstUse = replayGuard.fresh(msg.ts(), now) && replayGuard.firstUse(msg.sig(), now);
        if (session.proven() || session.signedSender()) {
            return;
        }
        if (!firstUse) {
            throw new ProtocolException(ErrorCode.SIGNATURE_REQUIRED,
                    "Signed message is stale or replayed; it does not prove key possession");
        }
        session.markSignedSender();
        AgentSession holder = agents.get(session.id());
        if (holder == null || (holder != session && !holder.proven())) {
            claim(session);
        }
    }

    /** Challenge answered: the session holds the key, and the id is its own. */
    private void prove(AgentSession session) {
        session.markProven();
        claim(session);
        LOG.info("proven id={}", session.ref());
    }

    private void claim(AgentSession session) {
        AgentSession previous = agents.takeOver(session.id(), session);
        if (previous != null && previous != session) {
            kick(previous);
        }
        if (session.closed()) {
            agents.remove(session); // closed while this frame was handled: the clean-up already ran
        }
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
