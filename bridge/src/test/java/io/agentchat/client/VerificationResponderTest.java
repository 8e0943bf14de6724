package io.agentchat.client;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.agentchat.identity.Ed25519;
import io.agentchat.identity.Identity;
import io.agentchat.identity.SignedText;
import io.agentchat.protocol.ClientFrame;
import io.agentchat.protocol.ServerFrame;
import java.net.URI;
import java.time.Clock;
import org.junit.jupiter.api.Test;

/** What our client signs for a server's identity challenge and for a peer: never a text usable elsewhere. */
class VerificationResponderTest {
    private static final String NONCE = "AGENTCHAT-IDENTIFY-0123456789abcdef0123456789abcdef";
    private final Identity identity = Identity.generate("me", Clock.systemUTC());

    @Test
    void theChallengeAnswerNamesTheHostThisClientDialled() {
        ServerFrame.VerifyRequest challenge = ServerFrame.VerifyRequest.challenge(1, "identify_1", "@server", NONCE);
        ClientFrame.VerifyResponse answer =
                VerificationResponder.answerChallenge(identity, challenge, URI.create("wss://Relay.Example:443/x"));
        assertEquals(NONCE, answer.nonce());
        assertTrue(Ed25519.verifyStrict(identity.pubkey(), "AGENTCHAT-IDENTIFY|relay.example|" + NONCE, answer.sig()));
        assertFalse(Ed25519.verify(identity.pubkey(), NONCE, answer.sig()), "never the bare nonce");
        ClientFrame.VerifyResponse elsewhere =
                VerificationResponder.answerChallenge(identity, challenge, URI.create("ws://evil.example:7000"));
        assertTrue(Ed25519.verifyStrict(identity.pubkey(),
                SignedText.identifyChallenge("evil.example:7000", NONCE), elsewhere.sig()));
    }

    @Test
    void aPeerNeverGetsTheServersChallengeSigned() {
        ServerFrame.VerifyRequest forwarded = ServerFrame.VerifyRequest.challenge(1, "verify_1", "@peer", NONCE);
        assertNull(VerificationResponder.answer(identity, forwarded, false), "bare path: reserved prefix");
        ClientFrame.VerifyResponse separated = VerificationResponder.answer(identity, forwarded, true);
        assertTrue(Ed25519.verifyStrict(identity.pubkey(), SignedText.verification("verify_1", NONCE), separated.sig()));
        ServerFrame.VerifyRequest hex = ServerFrame.VerifyRequest.challenge(1, "verify_2", "@peer",
                "0123456789abcdef0123456789abcdef");
        assertTrue(Ed25519.verifyStrict(identity.pubkey(), hex.nonce(),
                VerificationResponder.answer(identity, hex, false).sig()), "the original's requesters still work");
    }

    @Test
    void challengeHostsAgreeBetweenAHostHeaderAndAUri() {
        assertEquals("relay.example", SignedText.challengeHost("Relay.Example"));
        assertEquals("relay.example", SignedText.challengeHost("relay.example:443"));
        assertEquals("relay.example", SignedText.challengeHost("relay.example:80"));
        assertEquals("relay.example:6667", SignedText.challengeHost("user@relay.example:6667"));
        assertEquals("[::1]:6667", SignedText.challengeHost("[::1]:6667"));
        assertEquals("[::1]", SignedText.challengeHost("[::1]"));
    }
}
