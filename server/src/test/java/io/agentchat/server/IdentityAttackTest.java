package io.agentchat.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.agentchat.identity.Identity;
import io.agentchat.identity.SignedText;
import java.nio.file.Path;
import java.time.Clock;
import java.util.List;
import java.util.function.Predicate;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The identity attacks of a hostile client, replayed over a real server: someone who has a
 * victim's public key (it is public) and the frames the victim signed (channels relay them), but
 * not the victim's private key. Only the answer to the server's IDENTIFY challenge makes a session
 * act as an id; each test shows what the attacker tries and that nothing moved.
 */
@Timeout(60)
class IdentityAttackTest extends ServerHarness {
    private static final ObjectMapper JSON = new ObjectMapper();
    private final Identity victimKey = Identity.generate("victim", Clock.systemUTC());
    private final Identity bobKey = Identity.generate("bob", Clock.systemUTC());
    @TempDir
    Path dataDir;

    @BeforeEach
    void startServer() throws Exception {
        start(config().dataDir(dataDir).build());
    }

    private String victim() {
        return "@" + victimKey.agentId();
    }

    private static String join(String channel) {
        return "{\"type\":\"JOIN\",\"channel\":\"" + channel + "\"}";
    }

    private static String dm(String to, String content) {
        return "{\"type\":\"MSG\",\"to\":\"" + to + "\",\"content\":\"" + content + "\"}";
    }

    private static final long MESSAGE_WINDOW_MILLIS = 120_000;

    private String signedMessage(String to, String content) {
        long ts = System.currentTimeMillis();
        return signedMessage(to, content, ts, victimKey.sign(SignedText.msg(to, content, ts)));
    }

    private static String signedMessage(String to, String content, long ts, String sig) {
        return "{\"type\":\"MSG\",\"to\":\"" + to + "\",\"content\":\"" + content + "\",\"ts\":" + ts
                + ",\"sig\":\"" + sig + "\"}";
    }

    private static Predicate<JsonNode> content(String text) {
        return m -> m.path("content").asText().equals(text);
    }

    private static boolean none(List<JsonNode> frames, Predicate<JsonNode> match) {
        return frames.stream().noneMatch(match);
    }

    private static Predicate<JsonNode> type(String type) {
        return f -> f.path("type").asText().equals(type);
    }

    @Test
    void aRelayedSignatureReEncodedOrResentMovesNothing() throws Exception {
        // The victim runs the original's client: it signs every message and never answers the challenge.
        try (TestAgent victim = TestAgent.unproven(client, uri, victimKey);
             TestAgent watcher = joined("watcher", "#general");
             TestAgent attacker = TestAgent.unproven(client, uri, victimKey)) {
            victim.send(join("#general"));
            victim.await("JOINED");
            victim.send(signedMessage("#general", "hello"));
            JsonNode seen = watcher.await("MSG", content("hello"));
            assertEquals(victim(), seen.get("from").asText());
            assertFalse(seen.has("verified"), "an unproven sender is never vouched for: " + seen);
            String sig = seen.get("sig").asText();
            long ts = seen.get("client_ts").asLong();

            attacker.send(join("#general"));
            attacker.await("JOINED");
            for (String variant : new String[] {sig.substring(0, sig.length() - 2), sig.substring(0, 20) + "!"
                    + sig.substring(20), sig.replace('+', '-').replace('/', '_')}) {
                if (variant.equals(sig)) {
                    continue;
                }
                attacker.send(signedMessage("#general", "hello", ts, variant));
                attacker.awaitError("INVALID_MSG", "Invalid message signature");
            }
            attacker.send(signedMessage("#general", "hello", ts, sig));
            assertEquals("SIGNATURE_REQUIRED", attacker.await("ERROR").get("code").asText());

            assertTrue(none(watcher.drainUntilPong(), content("hello")), "nothing was relayed again");
            assertTrue(victim.isOpen(), "the victim was not displaced");
            assertTrue(none(victim.drainUntilPong(), type("ERROR")));
            watcher.send(dm(victim(), "for the victim"));
            watcher.awaitError("AGENT_NOT_FOUND", "Agent " + victim() + " not found");
            assertTrue(none(attacker.drainUntilPong(), content("for the victim")));
        }
    }

    @Test
    void aReplayedSignatureNeverDisplacesOrImpersonatesAProvenHolder() throws Exception {
        try (TestAgent victim = TestAgent.proven(client, uri, victimKey);
             TestAgent watcher = joined("watcher", "#general");
             TestAgent attacker = TestAgent.unproven(client, uri, victimKey)) {
            victim.send(join("#general"));
            victim.await("JOINED");
            victim.send(signedMessage("#general", "signed by the victim"));
            JsonNode seen = watcher.await("MSG", content("signed by the victim"));
            assertTrue(seen.get("verified").asBoolean(), seen.toString());
            attacker.send(join("#general"));
            attacker.await("JOINED");
            String sig = seen.get("sig").asText();
            attacker.send(signedMessage("#general", "signed by the victim", seen.get("client_ts").asLong(), sig));
            assertEquals("SIGNATURE_REQUIRED", attacker.await("ERROR").get("code").asText());
            attacker.send(signedMessage("#general", "signed by the victim", seen.get("client_ts").asLong(),
                    sig.substring(0, sig.length() - 2)));
            attacker.awaitError("INVALID_MSG", "Invalid message signature");

            watcher.send(dm(victim(), "still yours"));
            victim.await("MSG", content("still yours"));
            assertTrue(none(attacker.drainUntilPong(), content("still yours")));
            assertTrue(none(watcher.drainUntilPong(), content("signed by the victim")));
        }
    }

    @Test
    void aReplayedProposalIsRefusedAndNoRatingMoves() throws Exception {
        try (TestAgent victim = TestAgent.proven(client, uri, victimKey);
             TestAgent bob = TestAgent.proven(client, uri, bobKey)) {
            String bobRef = "@" + bobKey.agentId();
            ObjectNode proposal = JSON.createObjectNode().put("type", "PROPOSAL").put("to", bobRef)
                    .put("task", "t").put("elo_stake", 50);
            proposal.put("sig", victimKey.sign(SignedText.proposal(bobRef, "t", null, null, null, null, 50)));
            victim.send(proposal.toString());
            String id = bob.await("PROPOSAL").get("id").asText();

            // Bob replays the victim's frame from a second socket that shows only the victim's public key.
            try (TestAgent replayer = TestAgent.unproven(client, uri, victimKey)) {
                replayer.send(proposal.toString());
                assertEquals("AUTH_REQUIRED", replayer.await("ERROR").get("code").asText());
            }
            // Even the victim's own frame, sent again, is not a new proposal: a signature is single-use.
            victim.send(proposal.toString());
            assertEquals("Signature already used: this proposal was already made (sign a new one)",
                    victim.await("ERROR").get("message").asText());
            List<JsonNode> bobSaw = bob.drainUntilPong();
            assertTrue(none(bobSaw, type("PROPOSAL")), "no second proposal: " + bobSaw);

            // The one genuine proposal still works for the victim and bob.
            bob.send(JSON.createObjectNode().put("type", "REJECT").put("proposal_id", id)
                    .put("sig", bobKey.sign(SignedText.reject(id, null))).toString());
            assertEquals("rejected", victim.await("REJECT").get("status").asText());
        }
    }

    @Test
    void anOfflineIdCannotBeSquatted() throws Exception {
        try (TestAgent squatter = TestAgent.unproven(client, uri, victimKey);
             TestAgent bob = TestAgent.proven(client, uri, bobKey)) {
            bob.send(dm(victim(), "are you there?"));
            bob.awaitError("AGENT_NOT_FOUND", "Agent " + victim() + " not found");
            ObjectNode proposal = JSON.createObjectNode().put("type", "PROPOSAL").put("to", victim()).put("task", "t");
            proposal.put("sig", bobKey.sign(SignedText.proposal(victim(), "t", null, null, null, null, null)));
            bob.send(proposal.toString());
            assertEquals("AGENT_NOT_FOUND", bob.await("ERROR").get("code").asText());
            bob.send("{\"type\":\"VERIFY_REQUEST\",\"target\":\"" + victim() + "\",\"nonce\":\"abcdef0123456789\"}");
            assertEquals("AGENT_NOT_FOUND", bob.await("ERROR").get("code").asText());
            bob.send("{\"type\":\"CREATE_CHANNEL\",\"channel\":\"#secret\",\"invite_only\":true}");
            bob.await("JOINED");
            bob.send("{\"type\":\"INVITE\",\"channel\":\"#secret\",\"agent\":\"" + victim() + "\"}");
            bob.drainUntilPong();
            squatter.send(join("#secret"));
            squatter.awaitError("NOT_INVITED", "Channel #secret is invite-only");
            List<JsonNode> squatterSaw = squatter.drainUntilPong();
            assertTrue(none(squatterSaw, type("MSG")) && none(squatterSaw, type("PROPOSAL"))
                    && none(squatterSaw, type("VERIFY_REQUEST")), "nothing addressed to the id: " + squatterSaw);

            // The victim comes back and proves its key: the id is routed to it, never to the squatter.
            try (TestAgent victim = TestAgent.proven(client, uri, victimKey)) {
                bob.send(dm(victim(), "welcome back"));
                victim.await("MSG", content("welcome back"));
                victim.send(join("#secret"));
                victim.await("JOINED");
                assertTrue(none(squatter.drainUntilPong(), content("welcome back")));
            }
        }
    }

    @Test
    void anUnprovenSessionChangesNothingOthersSeeAboutTheId() throws Exception {
        try (TestAgent victim = TestAgent.proven(client, uri, victimKey);
             TestAgent watcher = joined("watcher", "#general");
             TestAgent attacker = TestAgent.unproven(client, uri, victimKey)) {
            victim.send(join("#general"));
            victim.await("JOINED");
            watcher.drainUntilPong();

            attacker.send(join("#general"));
            List<String> members = JSON.convertValue(attacker.await("JOINED").get("agents"), List.class);
            assertEquals(1, members.stream().filter(victim()::equals).count(), members.toString());
            attacker.send("{\"type\":\"SET_PRESENCE\",\"status\":\"away\",\"status_text\":\"DM X instead\"}");
            assertEquals("AUTH_REQUIRED", attacker.await("ERROR").get("code").asText());
            attacker.send("{\"type\":\"INVITE\",\"channel\":\"#general\",\"agent\":\"@" + watcher.id.substring(1) + "\"}");
            assertEquals("AUTH_REQUIRED", attacker.await("ERROR").get("code").asText());
            attacker.send("{\"type\":\"CREATE_CHANNEL\",\"channel\":\"#mine\"}");
            assertEquals("AUTH_REQUIRED", attacker.await("ERROR").get("code").asText());
            attacker.send(dm("#general", "unsigned words"));
            assertEquals("SIGNATURE_REQUIRED", attacker.await("ERROR").get("code").asText());
            attacker.send("{\"type\":\"LEAVE\",\"channel\":\"#general\"}");
            attacker.await("LEFT");

            List<JsonNode> watcherSaw = watcher.drainUntilPong();
            for (String notice : List.of("AGENT_JOINED", "AGENT_LEFT", "PRESENCE_CHANGED")) {
                assertTrue(none(watcherSaw, type(notice)), notice + " leaked: " + watcherSaw);
            }
            assertTrue(none(watcherSaw, content("unsigned words")));
            watcher.send("{\"type\":\"LIST_AGENTS\",\"channel\":\"#general\"}");
            JsonNode listed = watcher.await("AGENTS");
            assertEquals(1, listed.get("list").findValuesAsText("id").stream().filter(victim()::equals).count(),
                    listed.toString());
            assertEquals(List.of("online", "online"), listed.get("list").findValuesAsText("presence"), listed.toString());
            assertTrue(none(victim.drainUntilPong(), type("ERROR")), "the victim was left alone");
        }
    }

    @Test
    void anUnprovenReaderReadsUnseenPostsFreshSignedMessagesAndIsRevealedOnceProven() throws Exception {
        try (TestAgent watcher = joined("watcher", "#general");
             TestAgent reader = TestAgent.unproven(client, uri, victimKey)) {
            reader.send(join("#general"));
            reader.await("JOINED");
            watcher.send(dm("#general", "public words"));
            reader.await("MSG", content("public words"));
            reader.send(signedMessage("#general", "fresh and signed"));
            JsonNode relayed = watcher.await("MSG", content("fresh and signed"));
            assertFalse(relayed.has("verified"), relayed.toString());
            assertTrue(none(watcher.drainUntilPong(), type("AGENT_JOINED")));
            try (TestAgent passerby = joined("passerby", "#general")) {
                assertEquals(passerby.id, reader.await("AGENT_JOINED").get("agent").asText(), "a reader follows joins");
                passerby.send("{\"type\":\"LEAVE\",\"channel\":\"#general\"}");
                assertEquals(passerby.id, reader.await("AGENT_LEFT").get("agent").asText(), "and leaves");
            }
            watcher.drainUntilPong();

            // Late answer to the challenge: the reader becomes a member the others can see.
            reader.send(reader.challengeAnswer(victimKey, uri));
            reader.await("VERIFY_SUCCESS");
            assertEquals(victim(), watcher.await("AGENT_JOINED").get("agent").asText());
            reader.send(dm("#general", "now proven"));
            assertTrue(watcher.await("MSG", content("now proven")).get("verified").asBoolean());
        }
    }

    @Test
    void verifiedIsSetOnlyForSendersThatAnsweredTheChallenge() throws Exception {
        try (TestAgent watcher = joined("watcher", "#general");
             TestAgent proven = TestAgent.proven(client, uri, victimKey);
             TestAgent anonymous = joined("anonymous", "#general")) {
            proven.send(join("#general"));
            proven.await("JOINED");
            proven.send(dm("#general", "from a proven key"));
            JsonNode fromProven = watcher.await("MSG", content("from a proven key"));
            assertTrue(fromProven.get("verified").asBoolean());
            anonymous.send(dm("#general", "from nobody in particular"));
            assertFalse(watcher.await("MSG", content("from nobody in particular")).has("verified"));
            anonymous.send(dm(victim(), "a dm"));
            assertFalse(proven.await("MSG", content("a dm")).has("verified"));
            proven.send(dm(anonymous.id, "a proven dm"));
            assertTrue(anonymous.await("MSG", content("a proven dm")).get("verified").asBoolean());
            try (TestAgent late = joined("late", "#general")) {
                // joined() drains the replay; ask for it again by re-reading the buffer through a new JOIN.
                late.send("{\"type\":\"LEAVE\",\"channel\":\"#general\"}");
                late.await("LEFT");
                late.send(join("#general"));
                JsonNode replayed = late.await("MSG", content("from a proven key"));
                assertTrue(replayed.get("replay").asBoolean() && replayed.get("verified").asBoolean(), replayed.toString());
            }
        }
    }

    @Test
    void anAnswerToOurChallengeObtainedElsewhereDoesNotProveTheKey() throws Exception {
        // The victim's client also talks to a hostile server, which forwards our challenge nonce to it.
        try (TestAgent victim = TestAgent.proven(client, uri, victimKey);
             TestAgent attacker = TestAgent.unproven(client, uri, victimKey)) {
            String nonce = attacker.challenge().get("nonce").asText();
            attacker.send(attacker.challengeAnswer(victimKey, nonce)); // the bare nonce: what a peer request yields
            assertEquals("Signature verification failed", attacker.await("VERIFY_FAILED").get("reason").asText());
            attacker.send(attacker.challengeAnswer(victimKey, SignedText.identifyChallenge("evil.example:7000", nonce)));
            assertEquals("Signature verification failed", attacker.await("VERIFY_FAILED").get("reason").asText());
            assertTrue(none(victim.drainUntilPong(), type("ERROR")), "the victim was not displaced");
            assertTrue(victim.isOpen());
        }
    }

    @Test
    void aSignatureAheadOfTheWindowIsNotRelayedSoItCannotBeReplayedLater() throws Exception {
        try (TestAgent victim = TestAgent.proven(client, uri, victimKey);
             TestAgent watcher = joined("watcher", "#general");
             TestAgent attacker = TestAgent.unproven(client, uri, victimKey)) {
            victim.send(join("#general"));
            victim.await("JOINED");
            long ahead = System.currentTimeMillis() + MESSAGE_WINDOW_MILLIS + 60_000;
            victim.send(signedMessage("#general", "from a fast clock", ahead,
                    victimKey.sign(SignedText.msg("#general", "from a fast clock", ahead))));
            JsonNode seen = watcher.await("MSG", content("from a fast clock"));
            assertTrue(seen.get("verified").asBoolean(), seen.toString());
            assertFalse(seen.has("sig"), "a signature it cannot remember long enough is not published: " + seen);

            long soon = System.currentTimeMillis() + 60_000;
            String frame = signedMessage("#general", "slightly ahead", soon,
                    victimKey.sign(SignedText.msg("#general", "slightly ahead", soon)));
            victim.send(frame);
            assertTrue(watcher.await("MSG", content("slightly ahead")).has("sig"));
            attacker.send(join("#general"));
            attacker.await("JOINED");
            attacker.send(frame);
            assertEquals("SIGNATURE_REQUIRED", attacker.await("ERROR").get("code").asText());
        }
    }

    @Test
    void aRefusedMessageDoesNotUseUpItsSignature() throws Exception {
        try (TestAgent sender = TestAgent.unproven(client, uri, victimKey);
             TestAgent watcher = joined("watcher", "#general")) {
            String frame = signedMessage("#general", "first try refused");
            sender.send(frame);
            sender.awaitError("NOT_INVITED", "Not a member of #general");
            sender.send(join("#general"));
            sender.await("JOINED");
            sender.send(frame);
            watcher.await("MSG", content("first try refused"));
        }
    }

    @Test
    void aRelayInTheMiddleCannotPassOnAnAnswerSignedForItsOwnHost() throws Exception {
        // A relay the victim dialled (evil.example:9999) opens its own socket here, sets Host to
        // the name the victim signed for, and forwards our challenge and the victim's answer.
        TestAgent relay = new TestAgent();
        org.eclipse.jetty.websocket.client.ClientUpgradeRequest upgrade =
                new org.eclipse.jetty.websocket.client.ClientUpgradeRequest(uri);
        upgrade.setHeader("Host", "evil.example:9999");
        client.connect(relay, uri, upgrade).get(5, java.util.concurrent.TimeUnit.SECONDS);
        try (relay; TestAgent victim = TestAgent.proven(client, uri, victimKey)) {
            relay.send("{\"type\":\"IDENTIFY\",\"name\":\"victim\",\"pubkey\":"
                    + JSON.writeValueAsString(victimKey.pubkey()) + "}");
            JsonNode challenge = relay.await("VERIFY_REQUEST");
            String nonce = challenge.get("nonce").asText();
            relay.await("WELCOME");
            String answer = victimKey.sign(SignedText.identifyChallenge("evil.example:9999", nonce));
            relay.send("{\"type\":\"VERIFY_RESPONSE\",\"request_id\":\"" + challenge.get("request_id").asText()
                    + "\",\"nonce\":\"" + nonce + "\",\"sig\":\"" + answer + "\"}");
            assertEquals("Signature verification failed", relay.await("VERIFY_FAILED").get("reason").asText());
            assertTrue(none(victim.drainUntilPong(), type("ERROR")), "the victim was not displaced");
        }
    }
}
