package io.agentchat.identity;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Base64;
import java.util.HexFormat;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

class PemTest {

    private static final String SPKI_BASE64 = "MCowBQYDK2VwAyEAequTLhWeWfEttVThMrSVMbtZ8AY9i7acAXTmnW+IRbc=";

    @Test
    void canonicalPublicKeyParsesAndReencodesIdentically() {
        byte[] key = Pem.parseCanonicalPublicKey(TestVectors.PUBKEY);
        assertEquals(32, key.length);
        assertEquals(TestVectors.PUBKEY, Pem.encodePublicKey(key));
    }

    @Test
    void referencePrivateKeyDerivesReferencePublicKey() {
        byte[] seed = Pem.parseCanonicalPrivateKey(TestVectors.PRIVKEY);
        assertEquals(TestVectors.PUBKEY, Pem.encodePublicKey(Ed25519.publicKeyOf(seed)));
        assertEquals(TestVectors.PRIVKEY, Pem.encodePrivateKey(seed));
    }

    @Test
    void layoutsMatchTheDerPrefixesOfTheProtocol() {
        byte[] key = new byte[32];
        String pub = Pem.encodePublicKey(key);
        String body = pub.substring("-----BEGIN PUBLIC KEY-----\n".length(), pub.indexOf("\n-----END"));
        assertEquals(60, body.length());
        assertTrue(HexFormat.of().formatHex(Base64.getDecoder().decode(body)).startsWith("302a300506032b6570032100"));
        String priv = Pem.encodePrivateKey(key);
        String privBody = priv.substring("-----BEGIN PRIVATE KEY-----\n".length(), priv.indexOf("\n-----END"));
        assertEquals(64, privBody.length());
        assertTrue(HexFormat.of().formatHex(Base64.getDecoder().decode(privBody))
                .startsWith("302e020100300506032b657004220420"));
    }

    @ParameterizedTest
    @ValueSource(strings = {
        "CRLF",
        "LEADING_TEXT",
        "TRAILING_TEXT",
        "MISSING_FINAL_NEWLINE",
        "PRIVATE_KEY",
        "WRAPPED_BODY",
        "X25519_KEY",
        "NONZERO_PADDING_BITS",
        "EMPTY",
    })
    void nonCanonicalPublicKeysAreRejected(String variant) {
        String pem = switch (variant) {
            case "CRLF" -> TestVectors.PUBKEY.replace("\n", "\r\n");
            case "LEADING_TEXT" -> "hello\n" + TestVectors.PUBKEY;
            case "TRAILING_TEXT" -> TestVectors.PUBKEY + "x";
            case "MISSING_FINAL_NEWLINE" -> TestVectors.PUBKEY.substring(0, TestVectors.PUBKEY.length() - 1);
            case "PRIVATE_KEY" -> TestVectors.PRIVKEY;
            case "WRAPPED_BODY" -> TestVectors.PUBKEY.replace(SPKI_BASE64, SPKI_BASE64.substring(0, 30) + "\n"
                    + SPKI_BASE64.substring(30));
            // Same DER shape, but OID 1.3.101.110 (X25519) instead of 1.3.101.112 (Ed25519).
            case "X25519_KEY" -> TestVectors.PUBKEY.replace("MCowBQYDK2Vw", "MCowBQYDK2Vu");
            // 'c' and 'c'+1 decode to the same last byte; only the canonical one is accepted.
            case "NONZERO_PADDING_BITS" -> TestVectors.PUBKEY.replace("Rbc=", "Rbd=");
            case "EMPTY" -> "";
            default -> throw new IllegalArgumentException(variant);
        };
        IdentityException e = assertThrows(IdentityException.class, () -> Pem.parseCanonicalPublicKey(pem));
        assertTrue(e.getMessage().startsWith("Invalid Ed25519 public key PEM: "), e.getMessage());
        assertFalse(e.getMessage().contains("\n"));
    }

    @Test
    void rejectionSaysWhatIsWrong() {
        assertEquals("Invalid Ed25519 public key PEM: got a private key PEM where a public key PEM is expected",
                assertThrows(IdentityException.class, () -> Pem.parseCanonicalPublicKey(TestVectors.PRIVKEY)).getMessage());
        assertEquals("Invalid Ed25519 public key PEM: missing the trailing newline after '-----END PUBLIC KEY-----'",
                assertThrows(IdentityException.class, () -> Pem.parseCanonicalPublicKey(
                        TestVectors.PUBKEY.strip())).getMessage());
        assertEquals("Invalid Ed25519 public key PEM: contains carriage returns (line ends must be \\n only)",
                assertThrows(IdentityException.class, () -> Pem.parseCanonicalPublicKey(
                        TestVectors.PUBKEY.replace("\n", "\r\n"))).getMessage());
    }

    @Test
    void privateKeyParsingIsStrictToo() {
        assertThrows(IdentityException.class, () -> Pem.parseCanonicalPrivateKey(TestVectors.PUBKEY));
        assertThrows(IdentityException.class, () -> Pem.parseCanonicalPrivateKey(TestVectors.PRIVKEY.strip()));
        assertArrayEquals(Pem.parseCanonicalPrivateKey(TestVectors.PRIVKEY),
                Pem.parseCanonicalPrivateKey(Pem.encodePrivateKey(Pem.parseCanonicalPrivateKey(TestVectors.PRIVKEY))));
    }
}
