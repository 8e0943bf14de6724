package io.agentchat.identity;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.util.Base64;
import org.bouncycastle.crypto.AsymmetricCipherKeyPair;
import org.bouncycastle.crypto.generators.Ed25519KeyPairGenerator;
import org.bouncycastle.crypto.params.Ed25519KeyGenerationParameters;
import org.bouncycastle.crypto.params.Ed25519PrivateKeyParameters;
import org.bouncycastle.crypto.params.Ed25519PublicKeyParameters;
import org.bouncycastle.crypto.signers.Ed25519Signer;

/**
 * Pure Ed25519 (RFC 8032, no pre-hash, no context) as Node's {@code crypto.sign(null, data, key)} does it
 * (docs/protocol.md §10), through BouncyCastle's lightweight API; no JCA provider is registered.
 *
 * <p>Keys are raw bytes: a private key is its 32-byte seed, a public key its 32-byte encoding. Signatures
 * travel as standard base64 with padding, and are read back with Node's lenient base64 rules.
 */
public final class Ed25519 {

    /** Length of a seed (private key) and of a public key, in bytes. */
    public static final int KEY_SIZE = 32;
    /** Length of a signature, in bytes. */
    public static final int SIGNATURE_SIZE = 64;

    private Ed25519() {
    }

    /** A fresh random 32-byte seed. The caller owns the array and should wipe it when done. */
    public static byte[] generateSeed(SecureRandom random) {
        Ed25519KeyPairGenerator generator = new Ed25519KeyPairGenerator();
        generator.init(new Ed25519KeyGenerationParameters(random));
        AsymmetricCipherKeyPair pair = generator.generateKeyPair();
        return ((Ed25519PrivateKeyParameters) pair.getPrivate()).getEncoded();
    }

    /** The 32-byte public key belonging to {@code seed}. */
    public static byte[] publicKeyOf(byte[] seed) {
        return new Ed25519PrivateKeyParameters(checkLength(seed, KEY_SIZE, "seed"), 0).generatePublicKey().getEncoded();
    }

    /** The 64-byte signature of {@code message} under {@code seed}. */
    public static byte[] sign(byte[] seed, byte[] message) {
        Ed25519Signer signer = new Ed25519Signer();
        signer.init(true, new Ed25519PrivateKeyParameters(checkLength(seed, KEY_SIZE, "seed"), 0));
        signer.update(message, 0, message.length);
        return signer.generateSignature();
    }

    /**
     * Whether {@code signature} is a valid signature of {@code message} under {@code publicKey}.
     * Wrong lengths and invalid points give {@code false}, never an exception.
     */
    public static boolean verify(byte[] publicKey, byte[] message, byte[] signature) {
        if (publicKey == null || publicKey.length != KEY_SIZE || signature == null
                || signature.length != SIGNATURE_SIZE || message == null) {
            return false;
        }
        try {
            Ed25519Signer verifier = new Ed25519Signer();
            verifier.init(false, new Ed25519PublicKeyParameters(publicKey, 0));
            verifier.update(message, 0, message.length);
            return verifier.verifySignature(signature);
        } catch (RuntimeException e) {
            // BouncyCastle rejects some malformed points with an exception; to a verifier that is just "no".
            return false;
        }
    }

    /**
     * Verifies a signature as the reference does for VERIFY_RESPONSE and rotation records: {@code text}
     * as UTF-8, the signature in (lenient) base64, the key as a canonical SPKI PEM. Anything malformed
     * gives {@code false}.
     */
    public static boolean verify(String publicKeyPem, String text, String signatureBase64) {
        byte[] publicKey = publicKeyOrNull(publicKeyPem);
        if (publicKey == null || text == null || signatureBase64 == null) {
            return false;
        }
        return verify(publicKey, text.getBytes(StandardCharsets.UTF_8), decodeBase64Lenient(signatureBase64));
    }

    /**
     * Verifies as a relay must: the signature only in its one canonical form (see
     * {@link #decodeSignatureStrict}), so a signature cannot be re-encoded into a "new" one that
     * slips past a replay guard keyed on its bytes. Anything malformed gives {@code false}.
     */
    public static boolean verifyStrict(String publicKeyPem, String text, String signatureBase64) {
        byte[] signature = decodeSignatureStrict(signatureBase64);
        byte[] publicKey = publicKeyOrNull(publicKeyPem);
        if (publicKey == null || text == null || signature == null) {
            return false;
        }
        return verify(publicKey, text.getBytes(StandardCharsets.UTF_8), signature);
    }

    /** The key of a canonical SPKI PEM, or null for anything else (a verifier answers "no", never throws). */
    private static byte[] publicKeyOrNull(String publicKeyPem) {
        if (publicKeyPem == null) {
            return null;
        }
        try {
            return Pem.parseCanonicalPublicKey(publicKeyPem);
        } catch (IdentityException e) {
            return null;
        }
    }

    /**
     * The 64 signature bytes of {@code text} if it is exactly their standard padded base64 (88
     * characters, what Node's {@code toString('base64')} and {@link #encodeBase64} write), else
     * {@code null}: no URL-safe alphabet, no missing padding, no stray characters, no non-zero
     * trailing bits.
     */
    public static byte[] decodeSignatureStrict(String text) {
        if (text == null || text.length() != 88) {
            return null;
        }
        byte[] bytes;
        try {
            bytes = Base64.getDecoder().decode(text);
        } catch (IllegalArgumentException e) {
            return null;
        }
        if (bytes.length != SIGNATURE_SIZE || !encodeBase64(bytes).equals(text)) {
            return null;
        }
        return bytes;
    }

    /** Standard base64 with padding (88 characters for a signature), as Node's {@code toString('base64')}. */
    public static String encodeBase64(byte[] bytes) {
        return Base64.getEncoder().encodeToString(bytes);
    }

    /**
     * Decodes base64 the way Node's {@code Buffer.from(s, 'base64')} does: both the standard and the
     * URL-safe alphabet are accepted, padding is optional, any other character is skipped, and the
     * first {@code '='} ends the input. A dangling single character yields no byte. Never throws;
     * {@code null} gives an empty array.
     */
    public static byte[] decodeBase64Lenient(String text) {
        if (text == null) {
            return new byte[0];
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream(text.length() * 3 / 4 + 1);
        int buffer = 0;
        int count = 0;
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c == '=') {
                break;
            }
            int value = sextet(c);
            if (value < 0) {
                continue;
            }
            buffer = (buffer << 6) | value;
            count++;
            if (count == 4) {
                out.write(buffer >> 16);
                out.write(buffer >> 8);
                out.write(buffer);
                buffer = 0;
                count = 0;
            }
        }
        if (count == 2) {
            out.write(buffer >> 4);
        } else if (count == 3) {
            out.write(buffer >> 10);
            out.write(buffer >> 2);
        }
        return out.toByteArray();
    }

    private static int sextet(char c) {
        if (c >= 'A' && c <= 'Z') {
            return c - 'A';
        }
        if (c >= 'a' && c <= 'z') {
            return c - 'a' + 26;
        }
        if (c >= '0' && c <= '9') {
            return c - '0' + 52;
        }
        if (c == '+' || c == '-') {
            return 62;
        }
        if (c == '/' || c == '_') {
            return 63;
        }
        return -1;
    }

    private static byte[] checkLength(byte[] bytes, int length, String what) {
        if (bytes == null || bytes.length != length) {
            throw new IdentityException("Ed25519 " + what + " must be " + length + " bytes");
        }
        return bytes;
    }
}
