package io.agentchat.identity;

/** A throwaway key made by the original client, with the id and fingerprint it derives (docs/protocol.md §3.2). */
final class TestVectors {

    static final String PUBKEY = "-----BEGIN PUBLIC KEY-----\n"
            + "MCowBQYDK2VwAyEAequTLhWeWfEttVThMrSVMbtZ8AY9i7acAXTmnW+IRbc=\n"
            + "-----END PUBLIC KEY-----\n";
    static final String PRIVKEY = "-----BEGIN PRIVATE KEY-----\n"
            + "MC4CAQAwBQYDK2VwBCIEIGEj7Wy1A6gGmYcA6r0WWHz0zZre0snO2JSAZBpJa9Iv\n"
            + "-----END PRIVATE KEY-----\n";
    static final String AGENT_ID = "857005ba";
    static final String FINGERPRINT = "857005baa74ca26b";
    static final String CREATED = "2026-11-25T03:09:15.272Z";

    /** The reference's file for this key, byte for byte (no trailing newline). */
    static final String FILE = "{\n"
            + "  \"name\": \"probe-alice\",\n"
            + "  \"pubkey\": \"-----BEGIN PUBLIC KEY-----\\nMCowBQYDK2VwAyEAequTLhWeWfEttVThMrSVMbtZ8AY9i7acAXTmnW+IRbc=\\n-----END PUBLIC KEY-----\\n\",\n"
            + "  \"privkey\": \"-----BEGIN PRIVATE KEY-----\\nMC4CAQAwBQYDK2VwBCIEIGEj7Wy1A6gGmYcA6r0WWHz0zZre0snO2JSAZBpJa9Iv\\n-----END PRIVATE KEY-----\\n\",\n"
            + "  \"created\": \"2026-11-25T03:09:15.272Z\",\n"
            + "  \"rotations\": []\n"
            + "}";

    private TestVectors() {
    }
}
