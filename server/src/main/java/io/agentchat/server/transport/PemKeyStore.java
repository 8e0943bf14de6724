package io.agentchat.server.transport;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.security.spec.PKCS8EncodedKeySpec;
import java.util.Base64;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Builds an in-memory KeyStore from the PEM files {@code serve --cert/--key} take, as the
 * reference does (Node reads PEM directly). The key must be PKCS#8 ({@code BEGIN PRIVATE KEY}),
 * which is what OpenSSL 3 writes by default; RSA, EC and Ed25519 keys are accepted.
 */
final class PemKeyStore {
    static final char[] PASSWORD = new char[0];
    private static final Pattern PRIVATE_KEY =
            Pattern.compile("-----BEGIN PRIVATE KEY-----(.*?)-----END PRIVATE KEY-----", Pattern.DOTALL);

    private PemKeyStore() {
    }

    static KeyStore load(Path certFile, Path keyFile) {
        try {
            CertificateFactory factory = CertificateFactory.getInstance("X.509");
            List<? extends Certificate> chain;
            try (var in = Files.newInputStream(certFile)) {
                chain = List.copyOf(factory.generateCertificates(in));
            }
            if (chain.isEmpty()) {
                throw new IllegalArgumentException("No certificate found in " + certFile.toAbsolutePath());
            }
            PrivateKey key = privateKey(keyFile);
            KeyStore store = KeyStore.getInstance("PKCS12");
            store.load(null, null);
            store.setKeyEntry("agentchat", key, PASSWORD, chain.toArray(Certificate[]::new));
            return store;
        } catch (IOException e) {
            throw new IllegalArgumentException("Cannot read TLS file: " + e.getMessage(), e);
        } catch (GeneralSecurityException e) {
            throw new IllegalArgumentException("Invalid TLS certificate or key: " + e.getMessage(), e);
        }
    }

    private static PrivateKey privateKey(Path keyFile) throws IOException, GeneralSecurityException {
        String pem = Files.readString(keyFile, StandardCharsets.US_ASCII);
        Matcher matcher = PRIVATE_KEY.matcher(pem);
        if (!matcher.find()) {
            throw new IllegalArgumentException("TLS key " + keyFile.toAbsolutePath()
                    + " is not a PKCS#8 PEM ('BEGIN PRIVATE KEY'); convert it with 'openssl pkcs8 -topk8 -nocrypt'");
        }
        byte[] der = Base64.getMimeDecoder().decode(matcher.group(1));
        for (String algorithm : List.of("RSA", "EC", "Ed25519")) {
            try {
                return KeyFactory.getInstance(algorithm).generatePrivate(new PKCS8EncodedKeySpec(der));
            } catch (GeneralSecurityException tryNext) {
                // not this algorithm
            }
        }
        throw new IllegalArgumentException("TLS key " + keyFile.toAbsolutePath() + " is not an RSA, EC or Ed25519 key");
    }

}
