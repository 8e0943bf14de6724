package io.agentchat.server.market;

import io.agentchat.identity.Ed25519;
import io.agentchat.identity.SignedText;
import io.agentchat.protocol.ClientFrame;
import io.agentchat.protocol.ProtocolException;

/**
 * Checks the {@code sig} of every signed marketplace frame against the sender's key, over the
 * exact strings of {@link SignedText}, the signature in its canonical encoding only. The original
 * server checks none of them, so anyone could act for anyone; here a bad signature is
 * {@code INVALID_MSG} and nothing changes.
 */
final class FrameSignatures {
    private FrameSignatures() {
    }

    static void verify(ClientFrame frame, String pubkey) {
        String text;
        String sig;
        if (frame instanceof ClientFrame.Proposal f) {
            text = SignedText.proposal(f.to(), f.task(), f.amount(), f.currency(), f.paymentCode(), f.expires(),
                    f.eloStake());
            sig = f.sig();
        } else if (frame instanceof ClientFrame.Accept f) {
            text = SignedText.accept(f.proposalId(), f.paymentCode(), f.eloStake());
            sig = f.sig();
        } else if (frame instanceof ClientFrame.Reject f) {
            text = SignedText.reject(f.proposalId(), f.reason());
            sig = f.sig();
        } else if (frame instanceof ClientFrame.Complete f) {
            text = SignedText.complete(f.proposalId(), f.proof());
            sig = f.sig();
        } else if (frame instanceof ClientFrame.Dispute f) {
            text = SignedText.dispute(f.proposalId(), f.reason());
            sig = f.sig();
        } else if (frame instanceof ClientFrame.RegisterSkills f) {
            text = SignedText.registerSkills(f.skills());
            sig = f.sig();
        } else {
            throw new IllegalArgumentException("not a signed marketplace frame: " + frame.wireType());
        }
        if (!Ed25519.verifyStrict(pubkey, text, sig)) {
            throw ProtocolException.invalid("Invalid signature for " + frame.wireType()
                    + " (not made by the sender's key over this frame)");
        }
    }
}
