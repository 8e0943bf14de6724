package io.agentchat.server;

import static io.agentchat.server.HeldDms.dm;
import static io.agentchat.server.HeldDms.dmContents;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.agentchat.identity.Identity;
import io.agentchat.identity.SignedText;
import io.agentchat.server.core.RecoveryConfig;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * DMs and identity across two relays over one real redis-server (docs/cluster.md, "DMs and
 * identity"): a DM reaches its addressee on the other relay, a proof on one relay displaces the
 * holder on the other, DMs held for a proven identity are handed over wherever it returns, and a
 * signature relayed by one relay is refused when replayed on the other.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class ClusterDmTest extends ClusterHarness {
    private final Identity alice = Identity.generate("alice", Clock.systemUTC());

    private static boolean dmWith(JsonNode f, String content) {
        return "MSG".equals(f.path("type").asText()) && content.equals(f.path("content").asText());
    }

    @Test
    void aDmReachesItsAddresseeOnTheOtherRelayBothWaysAndTheSenderGetsItsEcho() throws Exception {
        try (TestAgent a = TestAgent.ephemeral(client, relayA.uri(), "a");
             TestAgent b = TestAgent.ephemeral(client, relayB.uri(), "b");
             TestAgent proven = TestAgent.proven(client, relayB.uri(), alice)) {
            a.send(dm(b.id, "to b"));
            JsonNode got = b.await("MSG", f -> dmWith(f, "to b"));
            assertEquals(a.id, got.get("from").asText());
            assertFalse(got.has("verified"), "an ephemeral sender is not verified: " + got);
            assertEquals(got.toString(), a.await("MSG", f -> dmWith(f, "to b")).toString(), "the sender's echo");

            b.send(dm(a.id, "to a"));
            assertEquals(b.id, a.await("MSG", f -> dmWith(f, "to a")).get("from").asText());
            b.await("MSG", f -> dmWith(f, "to a"));

            proven.send(dm(a.id, "from alice"));
            JsonNode fromAlice = a.await("MSG", f -> dmWith(f, "from alice"));
            assertEquals("@" + alice.agentId(), fromAlice.get("from").asText());
            assertTrue(fromAlice.get("verified").asBoolean(), "the proving relay's word: " + fromAlice);
            a.send(dm("@" + alice.agentId(), "to alice"));
            proven.await("MSG", f -> dmWith(f, "to alice"));
        }
    }

    @Test
    void aDmToAnIdNobodyHasAnywhereIsAgentNotFoundAndTheConnectionStaysUsable() throws Exception {
        try (TestAgent a = TestAgent.ephemeral(client, relayA.uri(), "a");
             TestAgent gone = TestAgent.ephemeral(client, relayB.uri(), "gone")) {
            a.send(dm("@deadbeef", "anyone?"));
            a.awaitError("AGENT_NOT_FOUND", "Agent @deadbeef not found");
            gone.close();
            assertTrue(gone.awaitClose());
            // An ephemeral id is never held for: once its relay lets it go, it is not found anywhere.
            await().atMost(Duration.ofSeconds(5)).pollInterval(Duration.ofMillis(20)).until(() -> {
                a.send(dm(gone.id, "hello?"));
                return ("Agent " + gone.id + " not found").equals(answer(a).path("message").asText());
            });
            a.drainUntilPong();
            assertTrue(a.isOpen());
        }
    }

    @Test
    void provingTheKeyOnOneRelayDisplacesItsHolderOnTheOther() throws Exception {
        try (TestAgent first = TestAgent.proven(client, relayA.uri(), alice);
             TestAgent sender = TestAgent.ephemeral(client, relayA.uri(), "sender")) {
            try (TestAgent second = TestAgent.proven(client, relayB.uri(), alice)) {
                first.awaitError("INVALID_MSG", "Disconnected: Another connection claimed this identity");
                assertTrue(first.awaitClose());
                assertEquals(1000, first.closeCode());
                assertEquals("Identity claimed by new connection", first.closeReason());

                sender.send(dm("@" + alice.agentId(), "where are you"));
                second.await("MSG", f -> dmWith(f, "where are you"));
                sender.await("MSG", f -> dmWith(f, "where are you"));
            }
        }
    }

    @Test
    void dmsHeldForAProvenIdentityAreHandedOverOnceInOrderWhenItReturnsOnTheOtherRelay() throws Exception {
        try (TestAgent bob = TestAgent.ephemeral(client, relayB.uri(), "bob")) {
            TestAgent away = TestAgent.proven(client, relayA.uri(), alice);
            away.close();
            assertTrue(away.awaitClose());
            String to = "@" + alice.agentId();
            awaitHeld(bob, to, "while away 1");
            for (int i = 2; i <= 3; i++) {
                String content = "while away " + i;
                bob.send(dm(to, content));
                bob.await("MSG", f -> dmWith(f, content));
            }

            TestAgent unproven = TestAgent.unproven(client, relayB.uri(), alice);
            assertEquals(List.of(), dmContents(unproven), "only the key's proof hands them over");
            unproven.send(unproven.challengeAnswer(alice, relayB.uri()));
            unproven.await("VERIFY_SUCCESS");
            assertEquals(List.of("while away 1", "while away 2", "while away 3"), dmContents(unproven));
            bob.send(dm(to, "live"));
            unproven.await("MSG", f -> dmWith(f, "live"));
            unproven.close();
            assertTrue(unproven.awaitClose());

            try (TestAgent again = TestAgent.proven(client, relayA.uri(), alice)) {
                assertEquals(List.of(), dmContents(again), "each held DM is handed over once");
            }
        }
    }

    /**
     * A DM that Redis hands to a relay its addressee has already left is held for the addressee, not
     * lost (the sender was told it was delivered). Made certain here with a subscription Redis kept
     * for relay B after the addressee left B while Redis was away.
     */
    @Test
    void aDmThatReachesARelayItsAddresseeAlreadyLeftIsHeldNotLost() throws Exception {
        try (TestAgent bob = joined(relayA, "bob"); TestAgent witness = joined(relayB, "witness")) {
            TestAgent onB = TestAgent.proven(client, relayB.uri(), alice);
            onB.send("{\"type\":\"JOIN\",\"channel\":\"#general\"}");
            onB.await("JOINED");
            witness.await("AGENT_JOINED", f -> f.path("agent").asText().equals("@" + alice.agentId()));
            redis.kill();
            onB.close();
            // Relay B let the id go (its AGENT_LEFT comes after): its UNSUBSCRIBE was refused, Redis being away.
            witness.await("AGENT_LEFT", f -> f.path("agent").asText().equals("@" + alice.agentId()));
            redis.restart();
            await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(200)).until(() -> {
                bob.send(dm(witness.id, "are you there"));
                return answer(bob).path("type").asText().equals("MSG"); // both relays are back on Redis
            });
            bob.drainUntilPong();

            String to = "@" + alice.agentId();
            TestAgent onA = TestAgent.proven(client, relayA.uri(), alice);
            onA.send("{\"type\":\"JOIN\",\"channel\":\"#general\"}");
            onA.await("JOINED");
            onA.close();
            bob.await("AGENT_LEFT", f -> f.path("agent").asText().equals(to));
            // Its mailbox is open once Redis has run relay A's script (again, if Redis was away for it).
            String mailbox = "EXISTS agentchat:{" + to + "}:held";
            await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(50))
                    .until(() -> ":1".equals(redis.ask(mailbox)));
            bob.send(dm(to, "in flight"));
            bob.await("MSG", f -> dmWith(f, "in flight")); // relay B still answered to the id in Redis
            String dms = "LLEN agentchat:{" + to + "}:dms";
            await().atMost(Duration.ofSeconds(5)).pollInterval(Duration.ofMillis(20))
                    .until(() -> ":1".equals(redis.ask(dms)));
            try (TestAgent back = TestAgent.proven(client, relayA.uri(), alice)) {
                assertEquals(List.of("in flight"), dmContents(back));
            }
        }
    }

    /**
     * Redis restarts empty while a proven agent is connected: its relay tells Redis again that the
     * agent owns its id, so DMs are held for it once it leaves, as before the restart.
     */
    @Test
    void afterRedisRestartsAConnectedAgentStillOwnsItsIdAndDmsAreHeldWhenItLeaves() throws Exception {
        try (TestAgent bob = TestAgent.ephemeral(client, relayB.uri(), "bob")) {
            TestAgent onA = TestAgent.proven(client, relayA.uri(), alice);
            String to = "@" + alice.agentId();
            redis.restart();
            String owner = "HGET agentchat:{" + to + "}:owner claim";
            await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(100))
                    .until(() -> !"$-1".equals(redis.ask(owner)));
            int[] tries = {0};
            String[] delivered = {null};
            await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(200)).until(() -> {
                String content = "are you there " + tries[0]++;
                bob.send(dm(to, content));
                boolean sent = answer(bob).path("type").asText().equals("MSG"); // relay B is back on Redis too
                delivered[0] = sent ? content : null;
                return sent;
            });
            // Read before it leaves, or relay A would hold it for alice's return (as it should).
            onA.await("MSG", f -> dmWith(f, delivered[0]));
            onA.close();
            assertTrue(onA.awaitClose());
            awaitHeld(bob, to, "after the restart");
            try (TestAgent back = TestAgent.proven(client, relayB.uri(), alice)) {
                assertEquals(List.of("after the restart"), dmContents(back));
            }
        }
    }

    /**
     * A relay that shuts down opens the mailboxes of its proven agents on its way out, so what is sent
     * to them while they move to another relay waits for them there.
     */
    @Test
    void dmsToTheAgentsOfARelayThatShutsDownAreHeldForThemOnTheOther() throws Exception {
        try (TestAgent bob = TestAgent.ephemeral(client, relayB.uri(), "bob")) {
            TestAgent onA = TestAgent.proven(client, relayA.uri(), alice);
            relayA.close();
            assertTrue(onA.awaitClose());
            assertEquals(1001, onA.closeCode());
            String to = "@" + alice.agentId();
            awaitHeld(bob, to, "while you moved");
            try (TestAgent onB = TestAgent.proven(client, relayB.uri(), alice)) {
                assertEquals(List.of("while you moved"), dmContents(onB));
            }
        }
    }

    /**
     * A second key with the same id (ids are 8 hex characters: collisions can be ground) takes neither
     * the id while its holder is on the other relay, nor, once it left, what is held for it.
     */
    @Test
    void anotherKeyOfTheSameIdTakesNeitherTheIdNorItsHeldDmsOnTheOtherRelay() throws Exception {
        Identity[] pair = HeldDmAttackTest.collidingPair();
        Identity victim = pair[0];
        Identity attacker = pair[1];
        try (TestAgent bob = TestAgent.ephemeral(client, relayB.uri(), "bob")) {
            TestAgent away = TestAgent.proven(client, relayA.uri(), victim);
            String to = "@" + victim.agentId();
            try (TestAgent early = TestAgent.unproven(client, relayB.uri(), attacker)) {
                early.send(early.challengeAnswer(attacker, relayB.uri()));
                assertEquals("Agent id " + to + " is held by a different key",
                        early.await("VERIFY_FAILED").get("reason").asText());
                bob.send(dm(to, "still yours"));
                away.await("MSG", f -> dmWith(f, "still yours"));
                bob.await("MSG", f -> dmWith(f, "still yours"));
                assertEquals(List.of(), dmContents(early));
                assertTrue(away.isOpen());
            }
            away.close();
            assertTrue(away.awaitClose());
            awaitHeld(bob, to, "for the victim");

            try (TestAgent thief = TestAgent.unproven(client, relayB.uri(), attacker)) {
                thief.send(thief.challengeAnswer(attacker, relayB.uri()));
                assertEquals("Agent id " + to + " is held by a different key",
                        thief.await("VERIFY_FAILED").get("reason").asText());
                assertEquals(List.of(), dmContents(thief));
            }
            try (TestAgent back = TestAgent.proven(client, relayB.uri(), victim)) {
                assertEquals(List.of("for the victim"), dmContents(back));
            }
        }
    }

    @Test
    void aSignedMessageRelayedOnOneRelayIsRefusedWhenReplayedOnTheOther() throws Exception {
        try (TestAgent owner = TestAgent.proven(client, relayA.uri(), alice)) {
            owner.send("{\"type\":\"JOIN\",\"channel\":\"#general\"}");
            owner.await("JOINED");
            String signed = signed("hi");
            owner.send(signed);
            owner.await("MSG", f -> dmWith(f, "hi"));

            try (TestAgent impostor = TestAgent.unproven(client, relayB.uri(), alice)) {
                impostor.send("{\"type\":\"JOIN\",\"channel\":\"#general\"}");
                impostor.await("JOINED");
                impostor.send(signed);
                JsonNode refused = impostor.await("ERROR");
                assertEquals("SIGNATURE_REQUIRED", refused.get("code").asText(), refused.toString());
                // The same sender's fresh signature is taken: the refusal was the replay's.
                String fresh = signed("fresh");
                impostor.send(fresh);
                impostor.await("MSG", f -> dmWith(f, "fresh"));
                // And an unproven sender's signature, replayed on relay A, is refused there.
                try (TestAgent other = TestAgent.unproven(client, relayA.uri(), alice)) {
                    other.send("{\"type\":\"JOIN\",\"channel\":\"#general\"}");
                    other.await("JOINED");
                    other.send(fresh);
                    JsonNode again = other.await("ERROR");
                    assertEquals("SIGNATURE_REQUIRED", again.get("code").asText(), again.toString());
                }
            }
        }
    }

    @Test
    void whileRedisIsAwayACrossRelayDmIsRefusedClearlyAndOnceItIsBackDmsFlowAgain() throws Exception {
        try (TestAgent a = TestAgent.ephemeral(client, relayA.uri(), "a");
             TestAgent b = TestAgent.ephemeral(client, relayB.uri(), "b")) {
            a.send(dm(b.id, "before"));
            b.await("MSG", f -> dmWith(f, "before"));

            TestAgent unproven = TestAgent.unproven(client, relayB.uri(), alice);
            unproven.send("{\"type\":\"JOIN\",\"channel\":\"#general\"}");
            unproven.await("JOINED");
            redis.kill();
            a.send(dm(b.id, "meanwhile"));
            a.awaitError("AGENT_NOT_FOUND", "Agent " + b.id
                    + " is not on this relay, and the cluster cannot be reached to find it");
            a.drainUntilPong();
            unproven.send(signed("unchecked"));
            assertEquals("SIGNATURE_REQUIRED", unproven.await("ERROR").get("code").asText());
            unproven.send(unproven.challengeAnswer(alice, relayB.uri()));
            assertEquals("The cluster cannot be reached to prove @" + alice.agentId() + " now; try again",
                    unproven.await("VERIFY_FAILED").get("reason").asText());
            unproven.drainUntilPong();
            assertTrue(unproven.isOpen());
            unproven.close();

            redis.restart();
            // Lettuce reconnects and subscribes again to the ids it had: b is found once it has.
            int[] tries = {0};
            await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(200)).until(() -> {
                a.send(dm(b.id, "after-" + tries[0]++));
                return b.takeReceived().stream().anyMatch(f -> f.path("content").asText().startsWith("after-"));
            });
        }
    }

    /**
     * Both relays take the same key's proof at the same moment: Redis orders the two claims, the later
     * one displaces the earlier wherever it is, and DMs reach the one that stays, only it.
     */
    @Test
    void whenBothRelaysProveTheSameKeyAtOnceExactlyOneKeepsTheId() throws Exception {
        try (TestAgent sender = TestAgent.ephemeral(client, relayA.uri(), "sender")) {
            for (int round = 0; round < 5; round++) {
                Identity key = Identity.generate("racer" + round, Clock.systemUTC());
                TestAgent onA = TestAgent.unproven(client, relayA.uri(), key);
                TestAgent onB = TestAgent.unproven(client, relayB.uri(), key);
                onA.send(onA.challengeAnswer(key, relayA.uri()));
                onB.send(onB.challengeAnswer(key, relayB.uri()));
                onA.await("VERIFY_SUCCESS");
                onB.await("VERIFY_SUCCESS");
                await().atMost(Duration.ofSeconds(5)).pollInterval(Duration.ofMillis(20))
                        .until(() -> onA.isClosed() || onB.isClosed());
                TestAgent kept = onA.isClosed() ? onB : onA;
                TestAgent displaced = kept == onA ? onB : onA;
                assertEquals("Identity claimed by new connection", displaced.closeReason());
                String content = "round " + round;
                sender.send(dm("@" + key.agentId(), content));
                kept.await("MSG", f -> dmWith(f, content));
                kept.drainUntilPong();
                assertTrue(kept.isOpen(), "round " + round + ": the later claim stays");
                kept.close();
                assertTrue(kept.awaitClose());
            }
        }
    }

    /** The mailbox in Redis keeps one relay's bounds and answers: here 2 DMs, the third refused. */
    @Test
    void aFullMailboxInTheClusterRefusesWithTheSameErrorAsOneRelay() throws Exception {
        RecoveryConfig d = RecoveryConfig.defaults();
        RecoveryConfig two = new RecoveryConfig(d.historyMessages(), d.historyAge(), d.historyBytes(), 2, d.heldAge(),
                d.heldBytesPerAgent(), d.heldBytes());
        try (TestRelay small = TestRelay.start(TestRelay.defaults().name("relay-c").cluster(redis.uri()).recovery(two).build());
             TestAgent bob = TestAgent.ephemeral(client, small.uri(), "bob")) {
            TestAgent away = TestAgent.proven(client, relayA.uri(), alice);
            away.close();
            assertTrue(away.awaitClose());
            String to = "@" + alice.agentId();
            awaitHeld(bob, to, "one");
            bob.send(dm(to, "two"));
            bob.await("MSG", f -> dmWith(f, "two"));
            bob.send(dm(to, "three"));
            bob.awaitError("AGENT_NOT_FOUND", "Agent " + to + " is offline and cannot be held more messages");
            assertTrue(bob.isOpen());
            try (TestAgent back = TestAgent.proven(client, relayB.uri(), alice)) {
                assertEquals(List.of("one", "two"), dmContents(back));
            }
        }
    }

    /**
     * An id that left its relay while Redis was away: the client renews the relay's old subscription
     * when Redis is back, and the relay lets it go at the first DM that finds nobody, so the id is
     * then not found rather than silently swallowing DMs.
     */
    @Test
    void anIdThatLeftWhileRedisWasAwayIsNotFoundOnceRedisIsBack() throws Exception {
        try (TestAgent a = TestAgent.ephemeral(client, relayA.uri(), "a")) {
            TestAgent b = TestAgent.ephemeral(client, relayB.uri(), "b");
            a.send(dm(b.id, "before"));
            b.await("MSG", f -> dmWith(f, "before"));
            redis.kill();
            b.close();
            assertTrue(b.awaitClose());
            redis.restart();
            await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(200)).until(() -> {
                a.send(dm(b.id, "anyone?"));
                return ("Agent " + b.id + " not found").equals(answer(a).path("message").asText());
            });
        }
    }

    /**
     * Sends {@code content} to {@code to} until it is held (the mailbox opens once the identity's relay
     * has let it go). Every answer the sender had before must have been read.
     */
    private static void awaitHeld(TestAgent sender, String to, String content) throws Exception {
        await().atMost(Duration.ofSeconds(5)).pollInterval(Duration.ofMillis(20)).until(() -> {
            sender.send(dm(to, content));
            return content.equals(answer(sender).path("content").asText());
        });
    }

    /** The sender's answer to what it sent last: its echo (MSG) or an ERROR. */
    private static JsonNode answer(TestAgent sender) throws Exception {
        while (true) {
            JsonNode frame = sender.next();
            String type = frame.path("type").asText();
            if ("MSG".equals(type) || "ERROR".equals(type)) {
                return frame;
            }
        }
    }

    private String signed(String content) {
        long ts = System.currentTimeMillis();
        String sig = alice.sign(SignedText.msg("#general", content, ts));
        return "{\"type\":\"MSG\",\"to\":\"#general\",\"content\":\"" + content + "\",\"ts\":" + ts
                + ",\"sig\":\"" + sig + "\"}";
    }
}
