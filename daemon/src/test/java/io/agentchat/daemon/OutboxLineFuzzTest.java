package io.agentchat.daemon;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.code_intelligence.jazzer.junit.DictionaryEntries;
import com.code_intelligence.jazzer.junit.FuzzTest;
import io.agentchat.protocol.ClientFrame;
import io.agentchat.protocol.FrameCodec;
import io.agentchat.server.core.ClientFrameDecoder;

/**
 * Coverage-guided fuzzing of the outbox line parser (docs/fuzzing.md). The seeds and every crash
 * Jazzer finds live in {@code src/test/resources/io/agentchat/daemon/OutboxLineFuzzTestInputs/},
 * and are replayed on every run.
 */
class OutboxLineFuzzTest {
    private static final FrameCodec CODEC = new FrameCodec();

    /**
     * Any bytes give a blank line, a rejection with a reason, or a message that the server's own
     * decoder accepts as the same MSG; never an exception.
     */
    @DictionaryEntries({
        "{", "}", "[", "]", ":", ",", "\"", "\\u", "\\ud83d", "null", "true", "false", "\r", " ",
        "\"to\":", "\"content\":", "\"#general\"", "\"@a\"", "\"\"", "\u00e9", "\ufeff", "\u00ff",
    })
    @FuzzTest(maxDuration = "5s")
    void anyLineIsAMessageARejectionOrBlank(byte[] line) {
        OutboxLineParser.Parsed parsed = OutboxLineParser.parse(line);
        assertNotNull(parsed.text());
        if (parsed.blank()) {
            assertTrue(parsed.text().isBlank(), "skipped a line that is not blank");
        } else if (parsed.rejection() != null) {
            assertNull(parsed.message());
            assertFalse(parsed.rejection().isEmpty(), "rejection without a reason");
        } else {
            OutboxMessage message = parsed.message();
            assertEquals(parsed.text(), message.line());
            ClientFrame.Msg msg = new ClientFrame.Msg(message.to(), message.content());
            assertEquals(msg, ClientFrameDecoder.decode(CODEC, CODEC.encode(msg)));
        }
    }
}
