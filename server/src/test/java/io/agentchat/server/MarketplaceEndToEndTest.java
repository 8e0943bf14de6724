package io.agentchat.server;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.agentchat.identity.Identity;
import io.agentchat.identity.SignedText;
import io.agentchat.protocol.FrameCodec;
import io.agentchat.protocol.ServerFrame;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** A real server, real WebSocket clients, real keys: the marketplace over the wire. */
@Timeout(60)
class MarketplaceEndToEndTest extends ServerHarness {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final FrameCodec CODEC = new FrameCodec();
    @TempDir
    Path dataDir;
    Identity aliceKey;
    Identity bobKey;
    TestAgent alice;
    TestAgent bob;

    @BeforeEach
    void connect() throws Exception {
        start(config().dataDir(dataDir).build());
        aliceKey = Identity.generate("alice", Clock.systemUTC());
        bobKey = Identity.generate("bob", Clock.systemUTC());
        alice = TestAgent.proven(client, uri, aliceKey);
        bob = TestAgent.proven(client, uri, bobKey);
    }

    private ObjectNode frame(String type) {
        return JSON.createObjectNode().put("type", type);
    }

    private String propose(Double amount, Integer stake) throws Exception {
        ObjectNode p = frame("PROPOSAL").put("to", bob.id).put("task", "Review PR #42").put("currency", "USDC")
                .put("expires", 300);
        if (amount != null) {
            p.put("amount", amount);
        }
        if (stake != null) {
            p.put("elo_stake", stake);
        }
        p.put("sig", aliceKey.sign(SignedText.proposal(bob.id, "Review PR #42", amount, "USDC", null, 300.0, stake)));
        alice.send(p.toString());
        JsonNode echo = alice.await("PROPOSAL");
        JsonNode received = bob.await("PROPOSAL");
        assertEquals(echo, received);
        return echo.get("id").asText();
    }

    private static ServerFrame.Proposal decode(JsonNode proposal) {
        return (ServerFrame.Proposal) CODEC.decodeServer(proposal.toString());
    }

    private void accept(String id) {
        bob.send(frame("ACCEPT").put("proposal_id", id).put("sig", bobKey.sign(SignedText.accept(id, null, null)))
                .toString());
    }

    @Test
    void fullLifecycleAcrossTwoAgentsMovesRatingsAndWritesTheFile() throws Exception {
        String id = propose(2.0, null);
        accept(id);
        JsonNode accepted = alice.await("ACCEPT");
        assertEquals("accepted", accepted.get("status").asText());
        assertEquals(0, accepted.get("acceptor_stake").asInt());
        bob.await("ACCEPT");
        bob.send(frame("COMPLETE").put("proposal_id", id).put("proof", "tx:abc")
                .put("sig", bobKey.sign(SignedText.complete(id, "tx:abc"))).toString());
        JsonNode completed = alice.await("COMPLETE");
        // 1200 vs 1200, K 32, m = 1 + log10(3) = 1.4771: full = round(32 * 1.4771 * 0.5) = 24, gain 12
        assertEquals(1212, completed.at("/rating_changes/" + alice.id.replace("/", "~1") + "/newRating").asInt());
        assertEquals(12, completed.get("rating_changes").get(bob.id).get("change").asInt());
        assertEquals(completed, bob.await("COMPLETE"));
        Path file = dataDir.resolve("ratings.json");
        // The store writes behind the COMPLETE frames, so the file may not exist yet.
        await().atMost(Duration.ofSeconds(5)).ignoreException(NoSuchFileException.class).untilAsserted(() -> {
            JsonNode ratings = JSON.readTree(Files.readString(file));
            assertEquals(1212, ratings.get(alice.id).get("rating").asInt());
            assertEquals(1, ratings.get(bob.id).get("transactions").asInt());
        });
    }

    @Test
    void theRecipientChecksTheProposersSignatureOverTheRelayedFrame() throws Exception {
        // The sig covers the relative expires the client sent, relayed as client_expires so the recipient can check it.
        ObjectNode p = frame("PROPOSAL").put("to", bob.id).put("task", "Review PR #42").put("amount", 2.5)
                .put("currency", "USDC").put("payment_code", "alice-pay").put("expires", 90.5).put("elo_stake", 10);
        p.put("sig", aliceKey.sign(SignedText.proposal(bob.id, "Review PR #42", 2.5, "USDC", "alice-pay", 90.5, 10)));
        alice.send(p.toString());
        ObjectNode received = (ObjectNode) bob.await("PROPOSAL");
        assertEquals(received, alice.await("PROPOSAL"));
        assertEquals(90.5, received.get("client_expires").doubleValue());
        assertEquals(received.get("created_at").asLong() + 90_500, received.get("expires").asLong());
        assertTrue(decode(received).signedBy(aliceKey.pubkey()));
        assertFalse(decode(received).signedBy(bobKey.pubkey()));

        ObjectNode[] tampered = {
            received.deepCopy().put("client_expires", 9000),
            received.deepCopy().put("task", "Review PR #43"),
            received.deepCopy().put("amount", 25),
            received.deepCopy().put("payment_code", "mallory-pay"),
            received.deepCopy().put("elo_stake", 1),
            received.deepCopy().put("to", alice.id),
        };
        for (ObjectNode t : tampered) {
            assertFalse(decode(t).signedBy(aliceKey.pubkey()), t.toString());
        }
        ObjectNode asNodeRelaysIt = received.deepCopy();
        asNodeRelaysIt.remove("client_expires");
        assertFalse(decode(asNodeRelaysIt).signedBy(aliceKey.pubkey()), "without client_expires it cannot be checked");
    }

    @Test
    void aProposalWithoutExpiresHasNoClientExpiresAndStillVerifies() throws Exception {
        for (Integer expires : new Integer[] {null, 0}) {
            String task = "no deadline " + expires; // a new task each time: the same one would sign the same
            ObjectNode p = frame("PROPOSAL").put("to", bob.id).put("task", task);
            if (expires != null) {
                p.put("expires", expires);
            }
            p.put("sig", aliceKey.sign(SignedText.proposal(bob.id, task, null, null, null, null, null)));
            alice.send(p.toString());
            JsonNode received = bob.await("PROPOSAL");
            assertEquals(received, alice.await("PROPOSAL"));
            assertTrue(received.get("expires").isNull(), received.toString());
            assertFalse(received.has("client_expires"), received.toString());
            assertTrue(decode(received).signedBy(aliceKey.pubkey()), received.toString());
        }
    }

    @Test
    void refusedTransitionsGetTheReferencesErrors() throws Exception {
        String id = propose(null, null);
        alice.send(frame("ACCEPT").put("proposal_id", id).put("sig", aliceKey.sign(SignedText.accept(id, null, null)))
                .toString());
        alice.awaitError("INVALID_PROPOSAL", "NOT_PROPOSAL_RECIPIENT");
        bob.send(frame("ACCEPT").put("proposal_id", "prop_x_1").put("sig", bobKey.sign(SignedText.accept("prop_x_1", null, null)))
                .toString());
        bob.awaitError("PROPOSAL_NOT_FOUND", "Proposal not found");
        bob.send(frame("COMPLETE").put("proposal_id", id).put("sig", bobKey.sign(SignedText.complete(id, null))).toString());
        bob.awaitError("INVALID_PROPOSAL", "PROPOSAL_NOT_ACCEPTED");
        accept(id);
        bob.await("ACCEPT");
        accept(id);
        bob.awaitError("INVALID_PROPOSAL", "PROPOSAL_NOT_PENDING");
        TestAgent carol = TestAgent.proven(client, uri, Identity.generate("carol", Clock.systemUTC()));
        carol.send(frame("DISPUTE").put("proposal_id", id).put("reason", "x").put("sig", "AAAA").toString());
        carol.awaitError("INVALID_MSG", "Invalid signature for DISPUTE (not made by the sender's key over this frame)");
        TestAgent eph = ephemeral("eph");
        eph.send(frame("REJECT").put("proposal_id", id).put("sig", "x").toString());
        eph.awaitError("SIGNATURE_REQUIRED", "Rejecting proposals requires persistent identity");
        alice.send(frame("PROPOSAL").put("to", alice.id).put("task", "me")
                .put("sig", aliceKey.sign(SignedText.proposal(alice.id, "me", null, null, null, null, null))).toString());
        alice.awaitError("INVALID_MSG", "Cannot send a proposal to yourself");
    }

    @Test
    void aTamperedSignatureIsRefusedForEachSignedFrameType() throws Exception {
        String id = propose(null, null);
        String forged = bobKey.sign("something else");
        String[] frames = {
            frame("PROPOSAL").put("to", alice.id).put("task", "t").put("sig", forged).toString(),
            frame("ACCEPT").put("proposal_id", id).put("sig", forged).toString(),
            frame("REJECT").put("proposal_id", id).put("sig", forged).toString(),
            frame("COMPLETE").put("proposal_id", id).put("sig", forged).toString(),
            frame("DISPUTE").put("proposal_id", id).put("reason", "r").put("sig", forged).toString(),
            "{\"type\":\"REGISTER_SKILLS\",\"skills\":[{\"capability\":\"x\"}],\"sig\":\"" + forged + "\"}",
        };
        String[] types = {"PROPOSAL", "ACCEPT", "REJECT", "COMPLETE", "DISPUTE", "REGISTER_SKILLS"};
        for (int i = 0; i < frames.length; i++) {
            bob.send(frames[i]);
            bob.awaitError("INVALID_MSG", "Invalid signature for " + types[i]
                    + " (not made by the sender's key over this frame)");
        }
    }

    @Test
    void skillsAreAnnouncedToDiscoveryAndSearchedByRating() throws Exception {
        TestAgent watcher = joined("watcher", "#discovery");
        String skills = "[{\"capability\":\"code_review\",\"rate\":10,\"currency\":\"TEST\"}]";
        alice.send("{\"type\":\"REGISTER_SKILLS\",\"skills\":" + skills + ",\"sig\":\""
                + aliceKey.sign(SignedText.registerSkills(JSON.readTree(skills))) + "\"}");
        assertEquals(1, alice.await("SKILLS_REGISTERED").get("skills_count").asInt());
        JsonNode announce = watcher.await("MSG");
        assertEquals("@server", announce.get("from").asText());
        assertEquals("Agent " + alice.id + " registered 1 skill(s): code_review", announce.get("content").asText());
        String bobSkills = "[{\"capability\":\"code_generation\",\"rate\":5,\"currency\":\"test\"}]";
        bob.send("{\"type\":\"REGISTER_SKILLS\",\"skills\":" + bobSkills + ",\"sig\":\""
                + bobKey.sign(SignedText.registerSkills(JSON.readTree(bobSkills))) + "\"}");
        bob.await("SKILLS_REGISTERED");
        watcher.send("{\"type\":\"SEARCH_SKILLS\",\"query\":{\"capability\":\"CODE\",\"currency\":\"TEST\"},\"query_id\":\"q1\"}");
        JsonNode results = watcher.await("SEARCH_RESULTS");
        assertEquals("q1", results.get("query_id").asText());
        assertEquals(2, results.get("total").asInt());
        assertEquals(bob.id, results.get("results").get(0).get("agent_id").asText(), "same rating: newest first");
        watcher.send("{\"type\":\"SEARCH_SKILLS\",\"query\":{\"max_rate\":6}}");
        JsonNode cheap = watcher.await("SEARCH_RESULTS");
        assertEquals(1, cheap.get("total").asInt());
        assertTrue(cheap.get("query_id").isNull());
    }

    @Test
    void peerVerificationRoundTrip() throws Exception {
        TestAgent requester = ephemeral("asker");
        String nonce = "0123456789abcdef0123456789abcdef";
        requester.send("{\"type\":\"VERIFY_REQUEST\",\"target\":\"" + bob.id + "\",\"nonce\":\"" + nonce + "\"}");
        JsonNode challenge = bob.await("VERIFY_REQUEST");
        assertEquals("pending", requester.await("VERIFY_REQUEST").get("status").asText());
        bob.send("{\"type\":\"VERIFY_RESPONSE\",\"request_id\":\"" + challenge.get("request_id").asText()
                + "\",\"nonce\":\"" + nonce + "\",\"sig\":\"" + bobKey.sign(nonce) + "\"}");
        JsonNode success = requester.await("VERIFY_SUCCESS");
        assertEquals(bob.id, success.get("agent").asText());
        assertEquals(bobKey.pubkey(), success.get("pubkey").asText());
        assertTrue(bob.await("VERIFY_SUCCESS").get("verified").asBoolean());
    }

    @Test
    void anUnprovenConnectionWithTheHoldersKeyCannotActOnItsProposals() throws Exception {
        String id = propose(null, null);
        // A Node CLI run with bob's key (it never answers the challenge), or anyone who copied bob's
        // public key and a frame bob signed: it may not accept, reject, complete or dispute for bob.
        TestAgent nodeBob = TestAgent.unproven(client, uri, bobKey);
        String accept = frame("ACCEPT").put("proposal_id", id).put("sig", bobKey.sign(SignedText.accept(id, null, null)))
                .toString();
        nodeBob.send(accept);
        assertEquals("AUTH_REQUIRED", nodeBob.await("ERROR").get("code").asText());
        bob.send(accept);
        assertEquals("accepted", alice.await("ACCEPT").get("status").asText());
        assertTrue(nodeBob.drainUntilPong().stream().noneMatch(f -> f.path("type").asText().equals("ACCEPT")),
                "the reply went to the proven holder only");
    }
}
