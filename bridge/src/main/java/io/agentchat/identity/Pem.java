package io.agentchat.identity;

import java.util.Arrays;
import java.util.Base64;
import java.util.HexFormat;

/**
 * The two PEM layouts of an Ed25519 key pair, byte for byte as Node's {@code KeyObject.export} writes them.
 *
 * <ul>
 *   <li>Public: {@code -----BEGIN PUBLIC KEY-----\n} + base64 of the 44-byte SPKI DER
 *       ({@code 302a300506032b6570032100} ‖ key) on one 60-character line + {@code \n-----END PUBLIC KEY-----\n}.</li>
 *   <li>Private: {@code -----BEGIN PRIVATE KEY-----\n} + base64 of the 48-byte PKCS#8 DER
 *       ({@code 302e020100300506032b657004220420} ‖ seed) on one 64-character line + {@code \n-----END PRIVATE KEY-----\n}.</li>
 * </ul>
 *
 * <p>Parsing is strict: because the agent id hashes the PEM text (docs/protocol.md §3.2), only the exact canonical
 * text of a key is accepted, which leaves exactly one id per key.
 */
public final class Pem {

    private static final Layout PUBLIC = new Layout("PUBLIC KEY", "302a300506032b6570032100", "public key");
    private static final Layout PRIVATE = new Layout("PRIVATE KEY", "302e020100300506032b657004220420", "private key");

    private Pem() {
    }

    /** The canonical SPKI PEM of a 32-byte Ed25519 public key, with the trailing newline. */
    public static String encodePublicKey(byte[] publicKey) {
        return PUBLIC.encode(publicKey);
    }

    /**
     * The canonical PKCS#8 PEM of a 32-byte Ed25519 seed. The result is a {@code String} and cannot be
     * wiped; create it only to write it out.
     */
    public static String encodePrivateKey(byte[] seed) {
        return PRIVATE.encode(seed);
    }

    /**
     * The 32-byte Ed25519 key in {@code pem}, provided {@code pem} is byte-identical to
     * {@link #encodePublicKey} of that key: no text around it, {@code \n} line ends, the trailing newline,
     * and not a private key.
     *
     * @throws IdentityException naming the first deviation found
     */
    public static byte[] parseCanonicalPublicKey(String pem) {
        return PUBLIC.parse(pem, PRIVATE);
    }

    /**
     * The 32-byte seed in {@code pem}, provided {@code pem} is byte-identical to {@link #encodePrivateKey}
     * of that seed. The caller owns the returned array and should wipe it when done.
     *
     * @throws IdentityException naming the first deviation found (the message never contains key material)
     */
    public static byte[] parseCanonicalPrivateKey(String pem) {
        return PRIVATE.parse(pem, PUBLIC);
    }

    /** One PEM label with the fixed DER prefix that precedes the 32 key bytes. */
    private static final class Layout {
        private final String header;
        private final String footer;
        private final byte[] derPrefix;
        private final String what;

        Layout(String label, String derPrefixHex, String what) {
            this.header = "-----BEGIN " + label + "-----\n";
            this.footer = "\n-----END " + label + "-----\n";
            this.derPrefix = HexFormat.of().parseHex(derPrefixHex);
            this.what = what;
        }

        String encode(byte[] key) {
            if (key == null || key.length != Ed25519.KEY_SIZE) {
                throw new IdentityException("Ed25519 " + what + " must be " + Ed25519.KEY_SIZE + " bytes");
            }
            byte[] der = Arrays.copyOf(derPrefix, derPrefix.length + key.length);
            System.arraycopy(key, 0, der, derPrefix.length, key.length);
            String text = header + Base64.getEncoder().encodeToString(der) + footer;
            Arrays.fill(der, (byte) 0);
            return text;
        }

        byte[] parse(String pem, Layout other) {
            String problem = layoutProblem(pem, other);
            if (problem != null) {
                throw new IdentityException("Invalid Ed25519 " + what + " PEM: " + problem);
            }
            String body = pem.substring(header.length(), pem.length() - footer.length());
            byte[] der;
            try {
                der = Base64.getDecoder().decode(body);
            } catch (IllegalArgumentException e) {
                throw new IdentityException("Invalid Ed25519 " + what + " PEM: the body is not one line of standard base64");
            }
            try {
                if (der.length != derPrefix.length + Ed25519.KEY_SIZE
                        || !Arrays.equals(der, 0, derPrefix.length, derPrefix, 0, derPrefix.length)) {
                    throw new IdentityException("Invalid Ed25519 " + what + " PEM: not an Ed25519 key (expected "
                            + (derPrefix.length + Ed25519.KEY_SIZE) + " DER bytes starting with "
                            + HexFormat.of().formatHex(derPrefix) + ")");
                }
                byte[] key = Arrays.copyOfRange(der, derPrefix.length, der.length);
                // Re-encoding catches what the checks above let through, e.g. non-zero padding bits.
                if (!encode(key).equals(pem)) {
                    Arrays.fill(key, (byte) 0);
                    throw new IdentityException("Invalid Ed25519 " + what + " PEM: not in canonical form");
                }
                return key;
            } finally {
                Arrays.fill(der, (byte) 0);
            }
        }

        /** A human-readable reason why {@code pem} cannot be canonical, or null if the frame looks right. */
        private String layoutProblem(String pem, Layout other) {
            if (pem == null) {
                return "missing";
            }
            String headerLine = header.strip();
            String footerLine = footer.strip();
            if (pem.contains(other.header.strip())) {
                return "got a " + other.what + " PEM where a " + what + " PEM is expected";
            }
            if (pem.indexOf('\r') >= 0) {
                return "contains carriage returns (line ends must be \\n only)";
            }
            if (!pem.contains(headerLine)) {
                return "missing '" + headerLine + "'";
            }
            if (!pem.startsWith(headerLine)) {
                return "text before '" + headerLine + "'";
            }
            if (!pem.contains(footerLine)) {
                return "missing '" + footerLine + "'";
            }
            if (pem.endsWith(footerLine)) {
                return "missing the trailing newline after '" + footerLine + "'";
            }
            if (!pem.endsWith(footer)) {
                return "text after '" + footerLine + "'";
            }
            if (!pem.startsWith(header) || pem.length() < header.length() + footer.length()) {
                return "'" + headerLine + "' must be followed by a newline and the base64 body";
            }
            return null;
        }
    }
}
