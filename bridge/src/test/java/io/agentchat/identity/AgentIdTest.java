package io.agentchat.identity;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

class AgentIdTest {

    @Test
    void referenceKeyGivesReferenceIdAndFingerprint() {
        assertEquals(TestVectors.AGENT_ID, AgentId.fromPubkey(TestVectors.PUBKEY));
        assertEquals(TestVectors.FINGERPRINT, AgentId.fingerprint(TestVectors.PUBKEY));
    }

    @Test
    void idHashesTheTextSoAnotherLayoutGetsAnotherId() {
        String withoutFinalNewline = TestVectors.PUBKEY.substring(0, TestVectors.PUBKEY.length() - 1);
        assertEquals("79494605", AgentId.fromPubkey(withoutFinalNewline));
        assertEquals("eee48ba1", AgentId.fromPubkey(TestVectors.PUBKEY.replace("\n", "\r\n")));
    }
}
