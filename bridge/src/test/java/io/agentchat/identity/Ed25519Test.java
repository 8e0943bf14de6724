package io.agentchat.identity;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.util.Arrays;
import java.util.Base64;
import java.util.HexFormat;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class Ed25519Test {

    private static final byte[] SEED = Pem.parseCanonicalPrivateKey(TestVectors.PRIVKEY);
    private static final byte[] PUBLIC = Pem.parseCanonicalPublicKey(TestVectors.PUBKEY);

    @Test
    void signatureIsDeterministicPaddedBase64ThatVerifies() {
        byte[] message = "hello".getBytes(StandardCharsets.UTF_8);
        byte[] signature = Ed25519.sign(SEED, message);
        assertEquals(64, signature.length);
        assertArrayEquals(signature, Ed25519.sign(SEED, message));
        String text = Ed25519.encodeBase64(signature);
        assertEquals(88, text.length());
        assertTrue(text.endsWith("=="));
        assertTrue(Ed25519.verify(PUBLIC, message, signature));
        assertTrue(Ed25519.verify(TestVectors.PUBKEY, "hello", text));
    }

    @Test
    void tamperedMessageOrSignatureFails() {
        byte[] signature = Ed25519.sign(SEED, "hello".getBytes(StandardCharsets.UTF_8));
        assertFalse(Ed25519.verify(PUBLIC, "hellp".getBytes(StandardCharsets.UTF_8), signature));
        byte[] flipped = signature.clone();
        flipped[10] ^= 1;
        assertFalse(Ed25519.verify(PUBLIC, "hello".getBytes(StandardCharsets.UTF_8), flipped));
        assertFalse(Ed25519.verify(PUBLIC, "hello".getBytes(StandardCharsets.UTF_8), Arrays.copyOf(signature, 63)));
        assertFalse(Ed25519.verify(TestVectors.PUBKEY, "hello", "not base64 at all"));
        assertFalse(Ed25519.verify("garbage", "hello", Ed25519.encodeBase64(signature)));
    }

    @Test
    void generatedSeedSignsForItsPublicKey() {
        byte[] seed = Ed25519.generateSeed(new SecureRandom());
        byte[] message = {1, 2, 3};
        assertTrue(Ed25519.verify(Ed25519.publicKeyOf(seed), message, Ed25519.sign(seed, message)));
        assertFalse(Ed25519.verify(PUBLIC, message, Ed25519.sign(seed, message)));
    }

    @Test
    void urlSafeAndUnpaddedSignaturesVerifyLikeNode() {
        byte[] signature = Ed25519.sign(SEED, "nonce".getBytes(StandardCharsets.UTF_8));
        String urlSafe = Base64.getUrlEncoder().withoutPadding().encodeToString(signature);
        assertTrue(Ed25519.verify(TestVectors.PUBKEY, "nonce", urlSafe));
        String withJunk = " " + Ed25519.encodeBase64(signature).replace("A", "A\n");
        assertTrue(Ed25519.verify(TestVectors.PUBKEY, "nonce", withJunk));
    }

    /** Expected values were produced by Node 20: {@code Buffer.from(s, 'base64').toString('hex')}. */
    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "QQ       | 41",
        "QQ=      | 41",
        "QQ==QUJD | 41",
        "QUJD-_   | 414243fb",
        "a        | ''",
        "YWJj!!ZA | 61626364",
        "YW=Jj    | 61",
        "''       | ''",
    })
    void lenientBase64MatchesNodeBuffer(String input, String expectedHex) {
        assertEquals(expectedHex, HexFormat.of().formatHex(Ed25519.decodeBase64Lenient(input)));
    }
}
