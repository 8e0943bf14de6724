package io.agentchat.identity;

import io.agentchat.json.JsStringify;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * An agent's Ed25519 identity: name, key pair, creation time and rotation history, as the original client keeps them.
 *
 * <p>Immutable apart from {@link #wipe()}: the private key is held only as a 32-byte seed in a
 * {@code byte[]} so that it can be zeroed, the way nats.java's {@code NKey.clear()} does. After a wipe
 * every operation that needs the private key throws {@link IdentityException}; the public parts stay
 * usable. Instances are safe to share between threads, but do not wipe while another thread signs.
 *
 * <p>{@link #pubkey()} is the PEM <em>text</em> that the agent id hashes; send it unchanged.
 */
public final class Identity {

    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9_-]{1,32}");
    private static final DateTimeFormatter JS_ISO =
            DateTimeFormatter.ofPattern("uuuu-MM-dd'T'HH:mm:ss.SSS'Z'").withZone(ZoneOffset.UTC);

    private final String name;
    private final String pubkey;
    private final byte[] publicKey;
    private final byte[] seed;
    private final String created;
    private final List<RotationRecord> rotations;
    private volatile boolean wiped;

    private Identity(String name, String pubkey, byte[] publicKey, byte[] seed, String created,
            List<RotationRecord> rotations) {
        this.name = name;
        this.pubkey = pubkey;
        this.publicKey = publicKey;
        this.seed = seed;
        this.created = created;
        this.rotations = List.copyOf(rotations);
    }

    /**
     * A new identity with a fresh key pair, created now.
     *
     * @param name  agent name, {@code ^[A-Za-z0-9_-]{1,32}$} (what the server accepts in IDENTIFY)
     * @param clock source of the {@code created} time
     * @throws IdentityException if the name is invalid
     */
    public static Identity generate(String name, Clock clock) {
        checkName(name);
        byte[] seed = Ed25519.generateSeed(new SecureRandom());
        byte[] publicKey = Ed25519.publicKeyOf(seed);
        return new Identity(name, Pem.encodePublicKey(publicKey), publicKey, seed, now(clock), List.of());
    }

    /**
     * Rebuilds an identity from its stored parts, checking that both PEMs are canonical Ed25519 keys of
     * one pair, that the name is valid and that {@code created} is an ISO-8601 instant.
     */
    static Identity restore(String name, String pubkeyPem, String privkeyPem, String created,
            List<RotationRecord> rotations) {
        checkName(name);
        byte[] publicKey = Pem.parseCanonicalPublicKey(pubkeyPem);
        byte[] seed = Pem.parseCanonicalPrivateKey(privkeyPem);
        byte[] derived = Ed25519.publicKeyOf(seed);
        boolean matches = Arrays.equals(derived, publicKey);
        if (!matches) {
            Arrays.fill(seed, (byte) 0);
            throw new IdentityException("privkey does not belong to pubkey");
        }
        checkCreated(created);
        return new Identity(name, pubkeyPem, publicKey, seed, created, rotations);
    }

    /** The agent name sent in IDENTIFY. */
    public String name() {
        return name;
    }

    /** The public key as canonical SPKI PEM text, with its trailing newline. */
    public String pubkey() {
        return pubkey;
    }

    /**
     * The private key as PKCS#8 PEM text, for writing the identity file. Each call creates a
     * {@code String} that cannot be wiped; avoid keeping it.
     *
     * @throws IdentityException if the key was wiped
     */
    public String privkey() {
        return Pem.encodePrivateKey(liveSeed());
    }

    /** When the identity was first generated, ISO-8601 UTC with milliseconds ({@code 2026-11-25T03:09:15.272Z}). */
    public String created() {
        return created;
    }

    /** Earlier keys, oldest first; empty for an identity that was never rotated. */
    public List<RotationRecord> rotations() {
        return rotations;
    }

    /** The 8-hex-character agent id of {@link #pubkey()}, without {@code @}. */
    public String agentId() {
        return AgentId.fromPubkey(pubkey);
    }

    /** The 16-hex-character fingerprint of {@link #pubkey()}. */
    public String fingerprint() {
        return AgentId.fingerprint(pubkey);
    }

    /**
     * Signs the UTF-8 bytes of {@code text}.
     *
     * @return the 64-byte signature as standard base64 with padding
     * @throws IdentityException if the key was wiped
     */
    public String sign(String text) {
        return Ed25519.encodeBase64(Ed25519.sign(liveSeed(), text.getBytes(StandardCharsets.UTF_8)));
    }

    /** Whether {@code signatureBase64} (leniently decoded) is this identity's signature over {@code text}. */
    public boolean verify(String text, String signatureBase64) {
        if (text == null || signatureBase64 == null) {
            return false;
        }
        return Ed25519.verify(publicKey, text.getBytes(StandardCharsets.UTF_8),
                Ed25519.decodeBase64Lenient(signatureBase64));
    }

    /**
     * A new identity with a fresh key pair and a {@link RotationRecord}, signed by this identity's key,
     * appended to the history. Name and {@code created} carry over. This identity is left unchanged;
     * wipe it once the new one is saved.
     *
     * @throws IdentityException if the key was wiped
     */
    public Identity rotate(Clock clock) {
        String timestamp = now(clock);
        byte[] newSeed = Ed25519.generateSeed(new SecureRandom());
        byte[] newPublicKey = Ed25519.publicKeyOf(newSeed);
        String newPubkey = Pem.encodePublicKey(newPublicKey);
        String signature = sign(RotationRecord.signedText(pubkey, newPubkey, timestamp));
        List<RotationRecord> chain = new ArrayList<>(rotations);
        chain.add(new RotationRecord(pubkey, agentId(), newPubkey, AgentId.fromPubkey(newPubkey), signature, timestamp));
        return new Identity(name, newPubkey, newPublicKey, newSeed, created, chain);
    }

    /**
     * Checks the rotation history: each record's signature by its old key, that each record's agent ids
     * match its keys, that each {@code new_pubkey} is the next record's {@code old_pubkey}, and that the
     * last {@code new_pubkey} is the current {@link #pubkey()}.
     */
    public ChainVerification verifyChain() {
        List<String> failures = new ArrayList<>();
        for (int i = 0; i < rotations.size(); i++) {
            RotationRecord record = rotations.get(i);
            String label = "Rotation " + (i + 1) + ": ";
            if (!record.hasValidSignature()) {
                failures.add(label + "Invalid signature");
            }
            if (!record.oldAgentId().equals(AgentId.fromPubkey(record.oldPubkey()))
                    || !record.newAgentId().equals(AgentId.fromPubkey(record.newPubkey()))) {
                failures.add(label + "Agent id does not match its pubkey");
            }
            if (i + 1 < rotations.size() && !record.newPubkey().equals(rotations.get(i + 1).oldPubkey())) {
                failures.add(label + "Chain break - new_pubkey doesn't match next old_pubkey");
            }
        }
        if (!rotations.isEmpty() && !rotations.get(rotations.size() - 1).newPubkey().equals(pubkey)) {
            failures.add("Final rotation new_pubkey does not match current identity pubkey");
        }
        return new ChainVerification(failures);
    }

    /**
     * Zeroes the private key. Idempotent. Afterwards {@link #sign}, {@link #rotate} and
     * {@link #privkey()} throw {@link IdentityException}.
     */
    public void wipe() {
        wiped = true;
        Arrays.fill(seed, (byte) 0);
    }

    /** Never shows key material. */
    @Override
    public String toString() {
        return "Identity[name=" + name + ", agentId=" + agentId() + ", rotations=" + rotations.size() + "]";
    }

    private byte[] liveSeed() {
        if (wiped) {
            throw new IdentityException("private key of identity '" + name + "' has been wiped");
        }
        return seed;
    }

    private static String now(Clock clock) {
        return JS_ISO.format(Objects.requireNonNull(clock, "clock").instant());
    }

    private static void checkName(String name) {
        if (name == null || !NAME.matcher(name).matches()) {
            throw new IdentityException("Invalid agent name " + (name == null ? "null" : JsStringify.quote(name))
                    + ": use 1-32 characters from A-Z a-z 0-9 _ -");
        }
    }

    private static void checkCreated(String created) {
        try {
            Instant.parse(Objects.requireNonNull(created, "created"));
        } catch (DateTimeParseException | NullPointerException e) {
            throw new IdentityException("created is not an ISO-8601 UTC time: " + JsStringify.quote(String.valueOf(created)));
        }
    }
}
