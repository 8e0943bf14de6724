package io.agentchat.server.market;

import static io.agentchat.protocol.ErrorCode.INVALID_MSG;
import static io.agentchat.protocol.ErrorCode.NO_PUBKEY;
import static io.agentchat.protocol.ErrorCode.VERIFICATION_EXPIRED;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.agentchat.identity.SignedText;
import io.agentchat.protocol.ClientFrame;
import io.agentchat.protocol.ServerFrame;
import io.agentchat.server.market.RecordingDelivery.Sent;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

@Timeout(30)
class VerificationTest {
    private static final String NONCE = "abcdef0123456789abcdef0123456789";
    @TempDir
    Path dir;
    MarketFixture m;

    @AfterEach
    void tearDown() {
        m.close();
    }

    private String request(MarketFixture.Agent from, MarketFixture.Agent target) {
        m.delivery.drain();
        m.send(from, new ClientFrame.VerifyRequest(target.ref(), NONCE));
        List<Sent> sent = m.delivery.drain();
        assertEquals(List.of(target.ref(), from.ref()), sent.stream().map(Sent::to).toList());
        ServerFrame.VerifyRequest challenge = (ServerFrame.VerifyRequest) sent.get(0).frame();
        assertTrue(challenge.isChallenge());
        assertTrue(challenge.requestId().matches("verify_[0-9a-z]+_[0-9a-f]{8}"));
        assertEquals("pending", ((ServerFrame.VerifyRequest) sent.get(1).frame()).status());
        return challenge.requestId();
    }

    @Test
    void aGoodSignatureOverTheNonceOrTheDomainTextSucceeds() {
        m = new MarketFixture(dir);
        String id = request(m.alice, m.bob);
        m.send(m.bob, new ClientFrame.VerifyResponse(id, NONCE, m.bob.sign(NONCE)));
        List<Sent> sent = m.delivery.drain();
        assertEquals(new ServerFrame.VerifySuccess(m.clock.millis(), id, m.bob.ref(), m.bob.identity().pubkey(), null),
                sent.get(0).frame());
        assertEquals(new ServerFrame.VerifySuccess(m.clock.millis(), id, null, null, true), sent.get(1).frame());
        String id2 = request(m.alice, m.bob);
        m.send(m.bob, new ClientFrame.VerifyResponse(id2, NONCE, m.bob.sign(SignedText.verification(id2, NONCE))));
        assertTrue(m.delivery.drain().get(0).frame() instanceof ServerFrame.VerifySuccess);
    }

    @Test
    void badSignatureFailsAndConsumesTheRequest() {
        m = new MarketFixture(dir);
        String id = request(m.alice, m.bob);
        m.refused(m.carol, new ClientFrame.VerifyResponse(id, NONCE, "x"), INVALID_MSG,
                "You are not the target of this verification");
        m.refused(m.bob, new ClientFrame.VerifyResponse(id, NONCE + "0", "x"), INVALID_MSG, "Nonce mismatch");
        m.send(m.bob, new ClientFrame.VerifyResponse(id, NONCE, m.carol.sign(NONCE)));
        List<Sent> sent = m.delivery.drain();
        assertEquals(new ServerFrame.VerifyFailed(m.clock.millis(), id, m.bob.ref(), "Signature verification failed", null),
                sent.get(0).frame());
        assertEquals(new ServerFrame.VerifyFailed(m.clock.millis(), id, null, null, false), sent.get(1).frame());
        m.refused(m.bob, new ClientFrame.VerifyResponse(id, NONCE, m.bob.sign(NONCE)), VERIFICATION_EXPIRED,
                "Verification request not found or expired");
    }

    @Test
    void requestsAreBoundedAndCannotBeASigningOracle() {
        m = new MarketFixture(dir);
        m.refused(m.alice, new ClientFrame.VerifyRequest(m.bob.ref(), "COMPLETE|prop_x_1|proof"), INVALID_MSG,
                "Nonce may only contain letters, digits and + / = _ . : -");
        m.delivery.connect("@ephemera", null);
        m.refused(m.alice, new ClientFrame.VerifyRequest("@ephemera", NONCE), NO_PUBKEY,
                "Agent @ephemera has no persistent identity");
        for (int i = 0; i < 5; i++) {
            request(m.alice, m.bob);
        }
        m.refused(m.alice, new ClientFrame.VerifyRequest(m.bob.ref(), NONCE), INVALID_MSG,
                "Too many pending verification requests (max 5)");
    }

    @Test
    void unansweredRequestsTimeOutByTheClockAndByTheScheduler() {
        m = new MarketFixture(dir);
        String id = request(m.alice, m.bob);
        m.clock.advance(Duration.ofSeconds(30));
        m.refused(m.bob, new ClientFrame.VerifyResponse(id, NONCE, m.bob.sign(NONCE)), VERIFICATION_EXPIRED,
                "Verification request not found or expired");
        assertEquals(new ServerFrame.VerifyFailed(m.clock.millis(), id, m.bob.ref(), "Verification timed out", null),
                m.delivery.drain().get(0).frame());
        m.close();

        m = new MarketFixture(dir, MarketConfig.defaults().withVerificationTimeout(Duration.ofMillis(100)));
        // the scheduler fires after 100 ms of real time; the hand-moved clock says the request is due
        String id2 = request(m.alice, m.bob);
        m.clock.advance(Duration.ofMillis(100));
        await().atMost(Duration.ofSeconds(5)).until(() -> !m.delivery.sent().isEmpty());
        assertEquals(new ServerFrame.VerifyFailed(m.clock.millis(), id2, m.bob.ref(), "Verification timed out", null),
                m.delivery.sent().get(0).frame());
        assertEquals(m.alice.ref(), m.delivery.sent().get(0).to());
    }
}
