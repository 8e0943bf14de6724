package io.agentchat.server.core;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.code_intelligence.jazzer.junit.DictionaryEntries;
import com.code_intelligence.jazzer.junit.FuzzTest;
import io.agentchat.protocol.ClientFrame;
import io.agentchat.protocol.FrameCodec;
import io.agentchat.protocol.ProtocolException;
import java.nio.charset.StandardCharsets;

/**
 * Coverage-guided fuzzing of the server's client-frame decoder (docs/fuzzing.md). The seeds, one
 * valid frame of each type, and every crash Jazzer finds live in
 * {@code src/test/resources/io/agentchat/server/core/ClientFrameFuzzTestInputs/}, and are replayed on
 * every run.
 */
class ClientFrameFuzzTest {
    private static final FrameCodec CODEC = new FrameCodec();

    /**
     * Any text is either a frame or a {@link ProtocolException} (which the server answers with an
     * ERROR frame), never another exception; and a frame survives an encode and decode unchanged
     * (for the two frames that carry free-form JSON: its text does). The input is decoded as UTF-8
     * with replacement, because Jetty only delivers valid UTF-8 text.
     */
    @DictionaryEntries({
        "{", "}", "[", "]", ":", ",", "\"", "\\u", "\\ud83d", "null", "true", "false",
        "-0", "1e400", "1.5", "9223372036854775808", "2147483648", "\"type\":", "\"to\":",
        "\"content\":", "\"channel\":", "\"sig\":", "\"ts\":", "\"elo_stake\":", "\"amount\":",
        "\"expires\":", "\"skills\":", "\"query\":", "\"query_id\":", "\"nonce\":", "#general", "@a",
    })
    @FuzzTest(maxDuration = "5s")
    void anyTextIsAFrameOrAProtocolException(byte[] input) {
        String text = new String(input, StandardCharsets.UTF_8);
        ClientFrame frame;
        try {
            frame = ClientFrameDecoder.decode(CODEC, text);
        } catch (ProtocolException expected) {
            return;
        }
        String encoded = CODEC.encode(frame);
        ClientFrame again = ClientFrameDecoder.decode(CODEC, encoded);
        if (frame instanceof ClientFrame.RegisterSkills || frame instanceof ClientFrame.SearchSkills) {
            // Free-form JSON values: Jackson writes a number too large for a double (1e400 parses
            // as Infinity) as the string "Infinity", so only the text must be stable.
            assertEquals(encoded, CODEC.encode(again), () -> "round trip of " + text);
        } else {
            assertEquals(frame, again, () -> "round trip of " + text);
        }
    }
}
