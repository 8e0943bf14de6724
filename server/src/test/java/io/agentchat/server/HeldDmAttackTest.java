package io.agentchat.server;

import static io.agentchat.server.HeldDms.comeAndGo;
import static io.agentchat.server.HeldDms.dm;
import static io.agentchat.server.HeldDms.dmContents;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.agentchat.identity.AgentId;
import io.agentchat.identity.Ed25519;
import io.agentchat.identity.Identity;
import io.agentchat.identity.Pem;
import io.agentchat.server.core.RecoveryConfig;
import java.lang.reflect.Method;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.LongStream;
import org.eclipse.jetty.client.HttpClient;
import org.eclipse.jetty.websocket.client.WebSocketClient;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Review 10 attacks on DMs held for a returning identity (docs/protocol.md §6.6).
 */
@Timeout(value = 240, unit = TimeUnit.SECONDS)
class HeldDmAttackTest extends ServerHarness {

    /** An identity from a 32-byte seed (Identity.restore is package-private). */
    static Identity fromSeed(String name, byte[] seed) throws Exception {
        Method restore = Identity.class.getDeclaredMethod("restore", String.class, String.class, String.class,
                String.class, List.class);
        restore.setAccessible(true);
        String pub = Pem.encodePublicKey(Ed25519.publicKeyOf(seed));
        return (Identity) restore.invoke(null, name, pub, Pem.encodePrivateKey(seed), "2024-01-01T00:00:00.000Z",
                List.of());
    }

    private static byte[] seed(long n) {
        byte[] seed = new byte[32];
        for (int i = 0; i < 8; i++) {
            seed[i] = (byte) (n >>> (8 * i));
        }
        seed[31] = 0x5a;
        return seed;
    }

    /**
     * Two different Ed25519 keys whose agent ids (8 hex chars of SHA-256 of the PEM) are equal: a
     * birthday search, ~77k keys on average, seconds on a laptop. Grinding one for a given victim id
     * is 2^32 keys: hours on one machine, minutes on rented ones.
     */
    static Identity[] collidingPair() throws Exception {
        Map<String, Long> seen = new ConcurrentHashMap<>();
        AtomicReference<long[]> found = new AtomicReference<>();
        LongStream.range(1, 2_000_000).parallel().forEach(n -> {
            if (found.get() != null) {
                return;
            }
            String id = AgentId.fromPubkey(Pem.encodePublicKey(Ed25519.publicKeyOf(seed(n))));
            Long other = seen.putIfAbsent(id, n);
            if (other != null) {
                found.compareAndSet(null, new long[] {other, n});
            }
        });
        long[] pair = found.get();
        Identity victim = fromSeed("victim", seed(pair[0]));
        Identity attacker = fromSeed("attacker", seed(pair[1]));
        assertEquals(victim.agentId(), attacker.agentId());
        assertNotEquals(victim.pubkey(), attacker.pubkey());
        return new Identity[] {victim, attacker};
    }

    /**
     * Held DMs belong to the key that went away, not to its 8-hex id (ids can be ground): another
     * key with the same id may not prove itself while the mailbox is open, and gets nothing. Before
     * the fix it proved, took the victim's held DMs, and the victim got none (found by a hostile
     * review; this test failed then).
     */
    @Test
    void anotherKeyWithTheSameIdTakesTheHeldDms() throws Exception {
        Identity[] pair = collidingPair();
        Identity victim = pair[0];
        Identity attacker = pair[1];
        start();
        try (TestAgent bob = joined("bob", "#general")) {
            comeAndGo(bob, TestAgent.proven(client, uri, victim));
            String to = "@" + victim.agentId();
            bob.send(dm(to, "secret for the victim"));
            bob.await("MSG", f -> "secret for the victim".equals(f.path("content").asText()));

            try (TestAgent thief = TestAgent.unproven(client, uri, attacker)) {
                thief.send(thief.challengeAnswer(attacker, uri));
                assertEquals("Agent id @" + attacker.agentId() + " is held by a different key",
                        thief.await("VERIFY_FAILED").get("reason").asText(), "the id is kept for its key a while");
                List<String> stolen = dmContents(thief);
                thief.close();
                try (TestAgent back = TestAgent.proven(client, uri, victim)) {
                    List<String> delivered = dmContents(back);
                    assertEquals(List.of(), stolen, "a different key with the same id got the victim's held DMs");
                    assertEquals(List.of("secret for the victim"), delivered, "the victim's own DMs never reached it");
                }
            }
        }
    }

    private static RecoveryConfig held(int perAgentBytes, int totalBytes) {
        RecoveryConfig d = RecoveryConfig.defaults();
        return new RecoveryConfig(d.historyMessages(), d.historyAge(), d.historyBytes(), d.heldMessages(),
                d.heldAge(), perAgentBytes, totalBytes);
    }

    /**
     * One address fills at most its share (an eighth) of the held-DM budget, so throw-away keys of
     * one sender cannot leave another address's DM to a third identity unheld. Before the fix the
     * shared budget had no shares and this test failed (found by a hostile review).
     */
    @Test
    void throwAwayIdentitiesStarveEveryoneElsesMailbox() throws Exception {
        start(config().recovery(held(4_096, 16_384)).build());
        // Bob writes from another address (127.0.0.2 reaches the relay on 127.0.0.1 over loopback).
        HttpClient elsewhere = new HttpClient();
        elsewhere.setBindAddress(new InetSocketAddress("127.0.0.2", 0));
        WebSocketClient otherAddress = new WebSocketClient(elsewhere);
        otherAddress.start();
        try (TestAgent attacker = joined("attacker", "#general"); TestAgent bob = TestAgent.ephemeral(otherAddress, uri, "bob")) {
            bob.send("{\"type\":\"JOIN\",\"channel\":\"#general\"}");
            bob.await("JOINED");
            String filler = "x".repeat(900); // 2*len+64 bytes per held frame, ~2.2 KB
            for (int i = 0; i < 8; i++) {
                Identity sock = Identity.generate("sock" + i, java.time.Clock.systemUTC());
                comeAndGo(attacker, TestAgent.proven(client, uri, sock));
                for (int j = 0; j < 2; j++) {
                    attacker.send(dm("@" + sock.agentId(), filler));
                }
            }
            attacker.drainUntilPong();

            Identity victim = Identity.generate("victim", java.time.Clock.systemUTC());
            comeAndGo(bob, TestAgent.proven(client, uri, victim));
            bob.drainUntilPong();
            bob.send(dm("@" + victim.agentId(), "please hold this"));
            JsonNode answer = bob.next();
            assertEquals("MSG", answer.path("type").asText(),
                    "another sender's throw-away mailboxes left no room for the victim's first DM: " + answer);
        } finally {
            otherAddress.stop();
        }
    }
}
