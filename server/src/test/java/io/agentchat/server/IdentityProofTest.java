package io.agentchat.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.agentchat.identity.Identity;
import io.agentchat.identity.SignedText;
import java.time.Clock;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** A key-based id is taken over only by a connection that proves it holds the key (docs/protocol.md §3.3, §3.5). */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class IdentityProofTest extends ServerHarness {
    private static final ObjectMapper JSON = new ObjectMapper();
    private final Identity alice = Identity.generate("alice", Clock.systemUTC());

    @BeforeEach
    void startServer() throws Exception {
        start();
    }

    private String identify(Identity identity) throws Exception {
        return "{\"type\":\"IDENTIFY\",\"name\":\"" + identity.name() + "\",\"pubkey\":"
                + JSON.writeValueAsString(identity.pubkey()) + "}";
    }

    @Test
    void keyBasedIdentifyGetsTheKeyDerivedIdAfterAChallenge() throws Exception {
        try (TestAgent agent = TestAgent.connect(client, uri)) {
            agent.send(identify(alice));
            JsonNode challenge = agent.next();
            assertEquals("VERIFY_REQUEST", challenge.get("type").asText());
            assertEquals("@server", challenge.get("from").asText());
            assertTrue(challenge.get("nonce").asText().startsWith("AGENTCHAT-IDENTIFY-"));
            JsonNode welcome = agent.next();
            assertEquals("@" + alice.agentId(), welcome.get("agent_id").asText());
        }
    }

    @Test
    void nonCanonicalAndPrivateKeyPemsAreRefused() throws Exception {
        try (TestAgent agent = TestAgent.connect(client, uri)) {
            String variant = alice.pubkey().substring(0, alice.pubkey().length() - 1);
            agent.send("{\"type\":\"IDENTIFY\",\"name\":\"x\",\"pubkey\":" + JSON.writeValueAsString(variant) + "}");
            agent.awaitError("INVALID_MSG", "Invalid public key format (must be Ed25519 PEM)");
            agent.send("{\"type\":\"IDENTIFY\",\"name\":\"x\",\"pubkey\":" + JSON.writeValueAsString(alice.privkey()) + "}");
            agent.awaitError("INVALID_MSG", "Invalid public key format (must be Ed25519 PEM)");
            agent.send("{\"type\":\"IDENTIFY\",\"name\":\"x\",\"pubkey\":\"\"}");
            agent.awaitError("INVALID_MSG", "Invalid public key format (must be Ed25519 PEM)");
        }
    }

    @Test
    void anImpostorWithOnlyThePublicKeyCannotKickOrSpeakForTheOwner() throws Exception {
        try (TestAgent owner = TestAgent.proven(client, uri, alice); TestAgent impostor = TestAgent.connect(client, uri)) {
            owner.send("{\"type\":\"JOIN\",\"channel\":\"#general\"}");
            owner.await("JOINED");
            impostor.send(identify(alice));
            JsonNode challenge = impostor.await("VERIFY_REQUEST");
            impostor.await("WELCOME");
            impostor.send("{\"type\":\"VERIFY_RESPONSE\",\"request_id\":\"" + challenge.get("request_id").asText()
                    + "\",\"nonce\":\"" + challenge.get("nonce").asText() + "\",\"sig\":\"" + "A".repeat(86) + "==\"}");
            assertEquals("Signature verification failed", impostor.await("VERIFY_FAILED").get("reason").asText());
            impostor.send("{\"type\":\"JOIN\",\"channel\":\"#general\"}");
            impostor.await("JOINED");
            impostor.send("{\"type\":\"MSG\",\"to\":\"#general\",\"content\":\"I am alice\"}");
            assertEquals("SIGNATURE_REQUIRED", impostor.await("ERROR").get("code").asText());

            owner.drainUntilPong();
            owner.send("{\"type\":\"MSG\",\"to\":\"#general\",\"content\":\"real\",\"ts\":1,\"sig\":\"x\"}");
            owner.awaitError("INVALID_MSG", "Invalid message signature");
            assertTrue(owner.isOpen());
        }
    }

    @Test
    void aSignedMessageCopiedFromTheChannelDoesNotProveAnything() throws Exception {
        try (TestAgent owner = TestAgent.proven(client, uri, alice); TestAgent impostor = TestAgent.connect(client, uri)) {
            owner.send("{\"type\":\"JOIN\",\"channel\":\"#general\"}");
            owner.await("JOINED");
            long ts = System.currentTimeMillis();
            String sig = alice.sign(SignedText.msg("#general", "hi", ts));
            String signed = "{\"type\":\"MSG\",\"to\":\"#general\",\"content\":\"hi\",\"ts\":" + ts + ",\"sig\":\"" + sig + "\"}";
            owner.send(signed);
            JsonNode relayed = owner.await("MSG", m -> m.get("content").asText().equals("hi"));
            assertEquals(ts, relayed.get("client_ts").asLong());
            assertTrue(TestAgent.verify(alice.pubkey(), SignedText.msg("#general", "hi", ts), relayed.get("sig").asText()));

            impostor.send(identify(alice));
            impostor.await("WELCOME");
            impostor.send("{\"type\":\"JOIN\",\"channel\":\"#general\"}");
            impostor.await("JOINED");
            impostor.send(signed);
            assertEquals("SIGNATURE_REQUIRED", impostor.await("ERROR").get("code").asText());
            assertTrue(owner.isOpen());
        }
    }

    @Test
    void theKeyHolderTakesOverAndTheOldConnectionIsTold() throws Exception {
        try (TestAgent first = TestAgent.proven(client, uri, alice); TestAgent watcher = joined("watcher", "#general")) {
            first.send("{\"type\":\"JOIN\",\"channel\":\"#general\"}");
            first.await("JOINED");
            watcher.drainUntilPong();
            try (TestAgent second = TestAgent.proven(client, uri, alice)) {
                first.awaitError("INVALID_MSG", "Disconnected: Another connection claimed this identity");
                assertTrue(first.awaitClose());
                assertEquals(1000, first.closeCode());
                assertEquals("Identity claimed by new connection", first.closeReason());
                assertEquals("@" + alice.agentId(), watcher.await("AGENT_LEFT").get("agent").asText());
                watcher.send("{\"type\":\"MSG\",\"to\":\"@" + alice.agentId() + "\",\"content\":\"dm\"}");
                assertEquals("dm", second.await("MSG").get("content").asText());
            }
        }
    }

    @Test
    void aSignedMessageNeverTakesTheIdOverEvenFromAnotherUnprovenConnection() throws Exception {
        try (TestAgent first = TestAgent.unproven(client, uri, alice);
             TestAgent second = TestAgent.unproven(client, uri, alice);
             TestAgent watcher = joined("watcher", "#general")) {
            second.send("{\"type\":\"JOIN\",\"channel\":\"#general\"}");
            second.await("JOINED");
            second.send(signedMessage("fresh"));
            second.await("MSG", m -> m.get("content").asText().equals("fresh"));
            assertTrue(first.drainUntilPong().isEmpty(), "not displaced");
            watcher.send("{\"type\":\"MSG\",\"to\":\"@" + alice.agentId() + "\",\"content\":\"dm\"}");
            watcher.awaitError("AGENT_NOT_FOUND", "Agent @" + alice.agentId() + " not found");
        }
    }

    @Test
    void aSignedMessageAloneNeverDisplacesAConnectionThatAnsweredTheChallenge() throws Exception {
        // A signed message may have been copied from another server, where the same key signs too.
        try (TestAgent owner = TestAgent.proven(client, uri, alice); TestAgent other = TestAgent.connect(client, uri)) {
            other.send(identify(alice));
            other.await("WELCOME");
            other.send("{\"type\":\"JOIN\",\"channel\":\"#general\"}");
            other.await("JOINED");
            other.send(signedMessage("from elsewhere"));
            other.await("MSG", m -> m.get("content").asText().equals("from elsewhere"));
            owner.drainUntilPong();
            assertTrue(owner.isOpen());
            try (TestAgent sender = ephemeral("sender")) {
                sender.send("{\"type\":\"MSG\",\"to\":\"@" + alice.agentId() + "\",\"content\":\"dm\"}");
                assertEquals("dm", owner.await("MSG", m -> m.get("content").asText().equals("dm")).get("content").asText());
            }
        }
    }

    private String signedMessage(String content) {
        long ts = System.currentTimeMillis();
        String sig = alice.sign(SignedText.msg("#general", content, ts));
        return "{\"type\":\"MSG\",\"to\":\"#general\",\"content\":\"" + content + "\",\"ts\":" + ts
                + ",\"sig\":\"" + sig + "\"}";
    }
}
