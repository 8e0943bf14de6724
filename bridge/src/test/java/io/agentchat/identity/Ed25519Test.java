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

    @Test
    void aRelayAcceptsOnlyTheCanonicalEncodingOfASignature() {
        String message = "nonce";
        byte[] signature = Ed25519.sign(SEED, message.getBytes(StandardCharsets.UTF_8));
        for (int i = 0; !Ed25519.encodeBase64(signature).matches(".*[+/].*"); i++) {
            message = "nonce" + i; // one whose URL-safe spelling differs from the standard one
            signature = Ed25519.sign(SEED, message.getBytes(StandardCharsets.UTF_8));
        }
        String canonical = Ed25519.encodeBase64(signature);
        assertTrue(Ed25519.verifyStrict(TestVectors.PUBKEY, message, canonical));
        assertArrayEquals(signature, Ed25519.decodeSignatureStrict(canonical));
        for (String variant : new String[] {
                canonical.substring(0, 86),
                canonical.substring(0, 40) + "!" + canonical.substring(40),
                Base64.getUrlEncoder().encodeToString(signature),
                " " + canonical,
                canonical.substring(0, 85) + flipLowBits(canonical.charAt(85)) + "==",
                Ed25519.encodeBase64(Arrays.copyOf(signature, 63))}) {
            assertTrue(Ed25519.verify(TestVectors.PUBKEY, message, variant) || variant.length() < 88, variant);
            assertFalse(Ed25519.verifyStrict(TestVectors.PUBKEY, message, variant), variant);
            assertEquals(null, Ed25519.decodeSignatureStrict(variant), variant);
        }
    }

    /** A base64 character with the same top bits: decodes to the same bytes, but is not canonical. */
    private static char flipLowBits(char c) {
        String alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
        return alphabet.charAt(alphabet.indexOf(c) ^ 0b1111);
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
