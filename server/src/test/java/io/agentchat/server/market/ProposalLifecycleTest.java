package io.agentchat.server.market;

import static io.agentchat.protocol.ErrorCode.INSUFFICIENT_REPUTATION;
import static io.agentchat.protocol.ErrorCode.INVALID_MSG;
import static io.agentchat.protocol.ErrorCode.INVALID_PROPOSAL;
import static io.agentchat.protocol.ErrorCode.PROPOSAL_NOT_FOUND;
import static io.agentchat.protocol.ErrorCode.SIGNATURE_REQUIRED;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.agentchat.protocol.ClientFrame;
import io.agentchat.protocol.FrameCodec;
import io.agentchat.protocol.ServerFrame;
import io.agentchat.server.market.RecordingDelivery.Sent;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

@Timeout(30)
class ProposalLifecycleTest {
    @TempDir
    Path dir;
    MarketFixture m;

    @BeforeEach
    void setUp() {
        m = new MarketFixture(dir);
    }

    @AfterEach
    void tearDown() {
        m.close();
    }

    private int proposals;

    /** A new proposal each time: signatures are single-use, and the same frame signs the same. */
    private String propose(MarketFixture.Agent from, MarketFixture.Agent to, Double amount, Integer stake) {
        m.delivery.drain();
        m.send(from, m.proposal(from, to, "Review PR #" + ++proposals, amount, 300.0, stake));
        List<Sent> sent = m.delivery.drain();
        return ((ServerFrame.Proposal) sent.get(0).frame()).id();
    }

    @Test
    void fullLifecycleSendsFramesInTheReferencesOrderAndMovesRatings() throws Exception {
        m.send(m.alice, m.proposal(m.alice, m.bob, "Review PR #42", 2.0, 300.0, null));
        List<Sent> sent = m.delivery.drain();
        assertEquals(List.of(m.bob.ref(), m.alice.ref()), sent.stream().map(Sent::to).toList());
        ServerFrame.Proposal p = (ServerFrame.Proposal) sent.get(0).frame();
        assertTrue(p.id().matches("prop_[0-9a-z]+_[0-9a-f]{8}"), p.id());
        assertEquals(m.clock.millis() + 300_000, p.expires());
        String json = new FrameCodec().encode(p);
        assertTrue(json.contains("\"amount\":2,\"currency\":\"TEST\",\"payment_code\":null,\"terms\":null,"), json);
        assertTrue(json.endsWith("\"elo_stake\":null,\"client_expires\":300}"), json);

        m.send(m.bob, m.accept(m.bob, p.id(), null));
        sent = m.delivery.drain();
        assertEquals(List.of(m.alice.ref(), m.bob.ref()), sent.stream().map(Sent::to).toList());
        ServerFrame.Accept a = (ServerFrame.Accept) sent.get(0).frame();
        assertEquals("accepted", a.status());
        assertNull(a.proposerStake());
        assertEquals(0, a.acceptorStake());

        m.send(m.bob, m.complete(m.bob, p.id()));
        sent = m.delivery.drain();
        assertEquals(List.of(m.alice.ref(), m.bob.ref()), sent.stream().map(Sent::to).toList());
        ServerFrame.Complete c = (ServerFrame.Complete) sent.get(0).frame();
        assertEquals(m.bob.ref(), c.completedBy());
        // as the original computes it (docs/protocol.md §9.3):
        // 1200/1200, K 32, amount 2 → full round(23.63) = 24 → +12 each
        assertEquals("{\"" + m.alice.ref() + "\":{\"oldRating\":1200,\"newRating\":1212,\"change\":12,\"transactions\":1},\""
                + m.bob.ref() + "\":{\"oldRating\":1200,\"newRating\":1212,\"change\":12,\"transactions\":1}}",
                c.ratingChanges().toString());
        m.ratings.flush().get(5, TimeUnit.SECONDS);
        try (RatingsStore reread = RatingsStore.open(dir, 10)) {
            assertEquals(1212, reread.get(m.alice.ref()).rating());
        }
    }

    @Test
    void disputeWithStakesMatchesTheWorkedExample() {
        String first = propose(m.alice, m.bob, 2.0, null);
        m.send(m.bob, m.accept(m.bob, first, null));
        m.send(m.bob, m.complete(m.bob, first));
        String second = propose(m.alice, m.bob, 10.0, 50);
        m.send(m.bob, m.accept(m.bob, second, 20));
        ServerFrame.Accept a = (ServerFrame.Accept) m.delivery.drain().get(0).frame();
        assertEquals(50, a.proposerStake());
        assertEquals(20, a.acceptorStake());
        m.send(m.alice, m.dispute(m.alice, second));
        List<Sent> sent = m.delivery.drain();
        assertEquals(List.of(m.bob.ref(), m.alice.ref()), sent.stream().map(Sent::to).toList());
        ServerFrame.Dispute d = (ServerFrame.Dispute) sent.get(0).frame();
        // as the original computes it (docs/protocol.md §9.3):
        // base = round(32 * 2.0414 * 0.5) = 33 → bob -33-20 = -53, alice round(16.5)+20 = 37
        assertEquals("{\"" + m.alice.ref() + "\":{\"oldRating\":1212,\"newRating\":1249,\"change\":37,\"transactions\":2},\""
                + m.bob.ref() + "\":{\"oldRating\":1212,\"newRating\":1159,\"change\":-53,\"transactions\":2},"
                + "\"_escrow\":{\"proposer_stake\":50,\"acceptor_stake\":20,\"settlement\":\"transferred\","
                + "\"transferred_to\":\"" + m.alice.ref() + "\",\"transferred_amount\":20}}", d.ratingChanges().toString());
        assertEquals(new ServerFrame.EloStakes(50, 20), d.eloStakes());
    }

    @Test
    void everyRefusedTransitionGetsTheReferencesCodeAndToken() {
        m.refused(m.bob, m.accept(m.bob, "prop_nope_00000000", null), PROPOSAL_NOT_FOUND, "Proposal not found");
        m.refused(m.bob, m.reject(m.bob, "prop_nope_00000000"), INVALID_PROPOSAL, "PROPOSAL_NOT_FOUND");
        m.refused(m.bob, m.complete(m.bob, "prop_nope_00000000"), INVALID_PROPOSAL, "PROPOSAL_NOT_FOUND");
        m.refused(m.bob, m.dispute(m.bob, "prop_nope_00000000"), INVALID_PROPOSAL, "PROPOSAL_NOT_FOUND");
        String id = propose(m.alice, m.bob, null, null);
        m.refused(m.alice, m.accept(m.alice, id, null), INVALID_PROPOSAL, "NOT_PROPOSAL_RECIPIENT");
        m.refused(m.carol, m.reject(m.carol, id), INVALID_PROPOSAL, "NOT_PROPOSAL_RECIPIENT");
        m.refused(m.bob, m.complete(m.bob, id), INVALID_PROPOSAL, "PROPOSAL_NOT_ACCEPTED");
        m.refused(m.alice, m.dispute(m.alice, id), INVALID_PROPOSAL, "PROPOSAL_NOT_ACCEPTED");
        m.send(m.bob, m.accept(m.bob, id, null));
        m.refused(m.bob, m.accept(m.bob, id, null), INVALID_PROPOSAL, "PROPOSAL_NOT_PENDING");
        m.refused(m.bob, m.reject(m.bob, id), INVALID_PROPOSAL, "PROPOSAL_NOT_PENDING");
        m.refused(m.carol, m.complete(m.carol, id), INVALID_PROPOSAL, "NOT_PROPOSAL_PARTY");
        m.refused(m.carol, m.dispute(m.carol, id), INVALID_PROPOSAL, "NOT_PROPOSAL_PARTY");
        m.send(m.alice, m.complete(m.alice, id));
        m.refused(m.carol, m.complete(m.carol, id), INVALID_PROPOSAL, "PROPOSAL_NOT_ACCEPTED");
        m.refused(m.bob, m.dispute(m.bob, id), INVALID_PROPOSAL, "PROPOSAL_NOT_ACCEPTED");
        String rejected = propose(m.alice, m.bob, null, null);
        m.send(m.bob, m.reject(m.bob, rejected));
        m.refused(m.bob, m.accept(m.bob, rejected, null), INVALID_PROPOSAL, "PROPOSAL_NOT_PENDING");
    }

    @Test
    void aTamperedSignatureIsRefusedForEverySignedFrame() {
        String id = propose(m.alice, m.bob, null, null);
        String msg = "Invalid signature for %s (not made by the sender's key over this frame)";
        var good = m.proposal(m.alice, m.bob, "task", 5.0, 300.0, null);
        m.refused(m.alice, new ClientFrame.Proposal(good.to(), good.task(), 6.0, good.currency(), null, null,
                good.expires(), null, good.sig()), INVALID_MSG, msg.formatted("PROPOSAL"));
        m.refused(m.bob, new ClientFrame.Accept(id, "pay", 5, m.bob.sign("ACCEPT|" + id + "|pay|")), INVALID_MSG,
                msg.formatted("ACCEPT"));
        m.refused(m.bob, new ClientFrame.Reject(id, "x", m.carol.sign("REJECT|" + id + "|x")), INVALID_MSG,
                msg.formatted("REJECT"));
        m.refused(m.bob, new ClientFrame.Complete(id, null, "AAAA"), INVALID_MSG, msg.formatted("COMPLETE"));
        m.refused(m.bob, new ClientFrame.Dispute(id, "why", m.bob.sign("DISPUTE|" + id + "|other")), INVALID_MSG,
                msg.formatted("DISPUTE"));
        assertEquals(Map.of("pending", 1), m.market.stats().byStatus(), "nothing changed");
    }

    @Test
    void ephemeralAgentsSelfDealingAndAbsurdInputAreRefused() {
        Caller ephemeral = new Caller("@abcdefgh", null, false);
        var frame = m.proposal(m.alice, m.bob, "t", null, null, null);
        var e = org.junit.jupiter.api.Assertions.assertThrows(io.agentchat.protocol.ProtocolException.class,
                () -> m.market.handle(frame, ephemeral, m.delivery));
        assertEquals(SIGNATURE_REQUIRED, e.code());
        assertEquals("Proposals require persistent identity", e.getMessage());
        m.refused(m.alice, m.proposal(m.alice, m.alice, "t", null, null, null), INVALID_MSG,
                "Cannot send a proposal to yourself");
        m.refused(m.alice, m.proposal(m.alice, m.bob, "t", 1e13, null, null), INVALID_MSG,
                "amount too large (max 1000000000000)");
        m.refused(m.alice, m.proposal(m.alice, m.bob, "x".repeat(2001), null, null, null), INVALID_MSG,
                "task too long (max 2000 chars)");
        m.delivery.disconnect(m.carol.ref());
        m.refused(m.alice, m.proposal(m.alice, m.carol, "t", null, null, null),
                io.agentchat.protocol.ErrorCode.AGENT_NOT_FOUND, "Agent " + m.carol.ref() + " not found");
    }

    @Test
    void aProposalSignatureIsSingleUse() {
        var frame = m.proposal(m.alice, m.bob, "Review PR #42", 2.0, 300.0, 50);
        m.send(m.alice, frame);
        m.delivery.drain();
        m.refused(m.alice, frame, INVALID_MSG, "Signature already used: this proposal was already made (sign a new one)");
        assertEquals(Map.of("pending", 1), m.market.stats().byStatus(), "no second proposal");
    }

    @Test
    void pendingProposalsPerAgentAreBounded() {
        m.close();
        m = new MarketFixture(dir, MarketConfig.defaults().withProposalLimits(20, 100, 100, 50_000));
        for (int i = 0; i < 20; i++) {
            propose(m.alice, m.bob, null, null);
        }
        m.refused(m.alice, m.proposal(m.alice, m.bob, "one more", null, null, null), INVALID_MSG,
                "Too many pending proposals (max 20)");
        m.clock.advance(Duration.ofSeconds(301)); // they expire, and stop counting
        propose(m.alice, m.bob, null, null);
    }

    @Test
    void pendingProposalsPerSenderAndRecipientAreBounded() {
        for (int i = 0; i < 5; i++) {
            propose(m.alice, m.bob, null, null);
        }
        m.refused(m.alice, m.proposal(m.alice, m.bob, "one more", null, null, null), INVALID_MSG,
                "Too many pending proposals to " + m.bob.ref() + " (max 5)");
        propose(m.alice, m.carol, null, null);
        propose(m.carol, m.bob, null, null);
    }

    @Test
    void expiredProposalsSayPROPOSAL_EXPIREDAndDefaultExpiryApplies() {
        String shortLived = propose(m.alice, m.bob, null, null);
        m.send(m.alice, m.proposal(m.alice, m.bob, "no expiry", null, null, null));
        String noExpiry = ((ServerFrame.Proposal) m.delivery.drain().get(0).frame()).id();
        m.clock.advance(Duration.ofSeconds(301));
        m.refused(m.bob, m.accept(m.bob, shortLived, null), INVALID_PROPOSAL, "PROPOSAL_EXPIRED");
        m.send(m.bob, m.accept(m.bob, noExpiry, null));
        String later = ((ServerFrame.Accept) m.delivery.drain().get(0).frame()).proposalId();
        assertEquals(noExpiry, later);
        m.send(m.alice, m.proposal(m.alice, m.bob, "no expiry either", null, null, null));
        String stale = ((ServerFrame.Proposal) m.delivery.drain().get(0).frame()).id();
        m.clock.advance(Duration.ofHours(24).plusSeconds(1));
        m.refused(m.bob, m.accept(m.bob, stale, null), INVALID_PROPOSAL, "PROPOSAL_EXPIRED");
    }

    @Test
    void stakesAreCheckedAndReservedAtomicallyAndReleasedAtTheDeadline() {
        String big = propose(m.alice, m.bob, null, 5000);
        m.refused(m.bob, m.accept(m.bob, big, null), INSUFFICIENT_REPUTATION,
                "Proposer: Insufficient ELO. Available: 1100, Requested: 5000");
        String p1 = propose(m.alice, m.bob, null, null);
        String p2 = propose(m.carol, m.bob, null, null);
        m.send(m.bob, m.accept(m.bob, p1, 1000));
        m.refused(m.bob, m.accept(m.bob, p2, 1000), INSUFFICIENT_REPUTATION,
                "Insufficient ELO. Available: 100, Requested: 1000");
        m.delivery.drain();
        m.clock.advance(Duration.ofDays(7).plusSeconds(1));
        m.market.sweep(m.delivery);
        List<Sent> notices = m.delivery.drain();
        assertEquals(List.of(m.alice.ref(), m.bob.ref()), notices.stream().map(Sent::to).toList());
        assertEquals("Proposal " + p1 + " expired before completion; stakes released",
                ((ServerFrame.Msg) notices.get(0).frame()).content());
        m.refused(m.bob, m.complete(m.bob, p1), INVALID_PROPOSAL, "PROPOSAL_EXPIRED");
        String p3 = propose(m.carol, m.bob, null, null);
        m.send(m.bob, m.accept(m.bob, p3, 1000)); // the stake is available again
    }

    @Test
    void statsCountByStatusAndAgents() {
        String id = propose(m.alice, m.bob, null, null);
        propose(m.carol, m.bob, null, null);
        m.send(m.bob, m.accept(m.bob, id, null));
        MarketService.ProposalStats stats = m.market.stats();
        assertEquals(2, stats.total());
        assertEquals(Map.of("accepted", 1, "pending", 1), stats.byStatus());
        assertEquals(3, stats.agents());
    }
}
