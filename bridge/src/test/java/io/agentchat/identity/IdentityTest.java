package io.agentchat.identity;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.agentchat.json.JsStringify;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class IdentityTest {

    private static final Clock CLOCK = Clock.fixed(Instant.parse("2026-11-25T03:09:15.272345Z"), ZoneOffset.UTC);
    private static final Clock LATER = Clock.fixed(Instant.parse("2026-11-25T03:16:53Z"), ZoneOffset.UTC);

    static Identity reference() {
        return Identity.restore("probe-alice", TestVectors.PUBKEY, TestVectors.PRIVKEY, TestVectors.CREATED, List.of());
    }

    @Test
    void generatedIdentityHasCanonicalKeysAndJsStyleTimestamp() {
        Identity identity = Identity.generate("alice", CLOCK);
        assertEquals("alice", identity.name());
        assertEquals("2026-11-25T03:09:15.272Z", identity.created());
        assertEquals(identity.pubkey(), Pem.encodePublicKey(Pem.parseCanonicalPublicKey(identity.pubkey())));
        assertEquals(identity.pubkey(),
                Pem.encodePublicKey(Ed25519.publicKeyOf(Pem.parseCanonicalPrivateKey(identity.privkey()))));
        assertEquals(AgentId.fromPubkey(identity.pubkey()), identity.agentId());
        assertTrue(identity.rotations().isEmpty());
        assertNotEquals(identity.pubkey(), Identity.generate("alice", CLOCK).pubkey());
    }

    @Test
    void timestampOnTheSecondStillHasMilliseconds() {
        assertEquals("2026-11-25T03:16:53.000Z", Identity.generate("a", LATER).created());
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "bad name", "a.b", "@alice", "abcdefghijklmnopqrstuvwxyz0123456", "alice\n", "é"})
    void invalidNamesAreRejectedAtGenerate(String name) {
        IdentityException e = assertThrows(IdentityException.class, () -> Identity.generate(name, CLOCK));
        assertTrue(e.getMessage().startsWith("Invalid agent name"), e.getMessage());
        assertFalse(e.getMessage().contains("\n"));
    }

    @Test
    void longestValidNameIsAccepted() {
        assertEquals("abcdefghijklmnopqrstuvwxyz012345_-".substring(0, 32),
                Identity.generate("abcdefghijklmnopqrstuvwxyz012345_-".substring(0, 32), CLOCK).name());
    }

    @Test
    void referenceIdentityHasReferenceIdsAndSignsVerifiably() {
        Identity identity = reference();
        assertEquals(TestVectors.AGENT_ID, identity.agentId());
        assertEquals(TestVectors.FINGERPRINT, identity.fingerprint());
        String signature = identity.sign("COMPLETE|prop_1|tx:abc");
        assertTrue(identity.verify("COMPLETE|prop_1|tx:abc", signature));
        assertFalse(identity.verify("COMPLETE|prop_1|tx:abd", signature));
        assertTrue(Ed25519.verify(TestVectors.PUBKEY, "COMPLETE|prop_1|tx:abc", signature));
        assertFalse(identity.toString().contains("PRIVATE"));
    }

    @Test
    void mismatchedKeyPairIsRejected() {
        Identity other = Identity.generate("bob", CLOCK);
        IdentityException e = assertThrows(IdentityException.class, () -> Identity.restore(
                "probe-alice", TestVectors.PUBKEY, other.privkey(), TestVectors.CREATED, List.of()));
        assertEquals("privkey does not belong to pubkey", e.getMessage());
    }

    @Test
    void rotationAppendsARecordSignedByTheOldKey() {
        Identity old = reference();
        Identity rotated = old.rotate(LATER);
        assertEquals("probe-alice", rotated.name());
        assertEquals(TestVectors.CREATED, rotated.created());
        assertNotEquals(old.pubkey(), rotated.pubkey());
        assertEquals(1, rotated.rotations().size());
        RotationRecord record = rotated.rotations().get(0);
        assertEquals(TestVectors.PUBKEY, record.oldPubkey());
        assertEquals(TestVectors.AGENT_ID, record.oldAgentId());
        assertEquals(rotated.pubkey(), record.newPubkey());
        assertEquals(rotated.agentId(), record.newAgentId());
        assertEquals("2026-11-25T03:16:53.000Z", record.timestamp());
        String expectedText = "{\"old_pubkey\":\"-----BEGIN PUBLIC KEY-----\\nMCowBQYDK2VwAyEAequTLhWeWfEttVThMrSVMbtZ8AY9i7acAXTmnW+IRbc=\\n-----END PUBLIC KEY-----\\n\","
                + "\"new_pubkey\":" + JsStringify.quote(rotated.pubkey()) + ",\"timestamp\":\"2026-11-25T03:16:53.000Z\"}";
        assertEquals(expectedText, record.signedText());
        assertTrue(old.verify(expectedText, record.signature()));
        assertTrue(old.rotations().isEmpty(), "the old identity is unchanged");
        assertTrue(rotated.verifyChain().valid());
        assertTrue(old.verifyChain().valid());
    }

    @Test
    void chainOfSeveralRotationsVerifies() {
        Identity identity = reference().rotate(LATER).rotate(LATER).rotate(LATER);
        assertEquals(3, identity.rotations().size());
        assertEquals(List.of(), identity.verifyChain().failures());
        assertEquals(identity.rotations().get(0).newPubkey(), identity.rotations().get(1).oldPubkey());
    }

    @Test
    void tamperedSignatureIsReportedPerRotation() {
        Identity identity = reference().rotate(LATER).rotate(LATER);
        List<RotationRecord> records = new ArrayList<>(identity.rotations());
        RotationRecord first = records.get(0);
        records.set(0, new RotationRecord(first.oldPubkey(), first.oldAgentId(), first.newPubkey(),
                first.newAgentId(), first.signature(), "2030-01-01T00:00:00.000Z"));
        Identity tampered = Identity.restore(identity.name(), identity.pubkey(), identity.privkey(),
                identity.created(), records);
        ChainVerification result = tampered.verifyChain();
        assertFalse(result.valid());
        assertEquals(List.of("Rotation 1: Invalid signature"), result.failures());
    }

    @Test
    void brokenLinkAndForeignCurrentKeyAreReported() {
        Identity a = reference().rotate(LATER);
        Identity b = Identity.generate("x", CLOCK).rotate(LATER);
        List<RotationRecord> records = List.of(a.rotations().get(0), b.rotations().get(0));
        Identity spliced = Identity.restore("probe-alice", a.pubkey(), a.privkey(), a.created(), records);
        assertEquals(List.of(
                "Rotation 1: Chain break - new_pubkey doesn't match next old_pubkey",
                "Final rotation new_pubkey does not match current identity pubkey"),
                spliced.verifyChain().failures());
    }

    @Test
    void forgedAgentIdIsReported() {
        Identity rotated = reference().rotate(LATER);
        RotationRecord r = rotated.rotations().get(0);
        Identity forged = Identity.restore(rotated.name(), rotated.pubkey(), rotated.privkey(), rotated.created(),
                List.of(new RotationRecord(r.oldPubkey(), "00000000", r.newPubkey(), r.newAgentId(),
                        r.signature(), r.timestamp())));
        assertEquals(List.of("Rotation 1: Agent id does not match its pubkey"), forged.verifyChain().failures());
    }

    @Test
    void wipedIdentityCannotSignButKeepsItsPublicParts() {
        Identity identity = reference();
        identity.wipe();
        identity.wipe();
        assertThrows(IdentityException.class, () -> identity.sign("x"));
        assertThrows(IdentityException.class, identity::privkey);
        assertThrows(IdentityException.class, () -> identity.rotate(LATER));
        assertEquals(TestVectors.AGENT_ID, identity.agentId());
        assertTrue(identity.verify("x", reference().sign("x")));
    }
}
