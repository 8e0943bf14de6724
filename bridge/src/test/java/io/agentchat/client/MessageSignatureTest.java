package io.agentchat.client;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

class MessageSignatureTest {

    @Test
    void signedTextIsJsonStringifyOfToContentTs() {
        assertEquals("{\"to\":\"#general\",\"content\":\"hi\",\"ts\":1795576000000}",
                MessageSignature.signedText("#general", "hi", 1795576000000L));
    }

    @Test
    void escapesLikeJavaScript() {
        assertEquals("{\"to\":\"@a\",\"content\":\"q\\\"b\\\\n\\nt\\tc\\u001f\\b\\f\",\"ts\":1}",
                MessageSignature.signedText("@a", "q\"b\\n\nt\tc\u001f\b\f", 1));
    }

    @Test
    void leavesNonAsciiRawAndEscapesLoneSurrogates() {
        assertEquals("{\"to\":\"#c\",\"content\":\"h\u00e9 \uD83D\uDE00 \\ud83d\",\"ts\":2}",
                MessageSignature.signedText("#c", "h\u00e9 \uD83D\uDE00 \uD83D", 2));
    }
}
