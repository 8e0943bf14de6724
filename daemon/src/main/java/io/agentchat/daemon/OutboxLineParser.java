package io.agentchat.daemon;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;

/**
 * Validates one outbox line (bytes between two newlines) before anything is sent.
 *
 * <p>Accepted: a JSON object with a string {@code to} that starts with {@code #} or {@code @}, and
 * a non-empty string {@code content} of at most 4096 UTF-16 units (the server's limit; the
 * original also refused empty content). Extra keys are ignored, as in the original. Everything
 * else is rejected with a reason the rejects file records. A blank line carries no message and is
 * skipped.
 */
final class OutboxLineParser {

    /** The server's MSG content limit in UTF-16 code units (docs/protocol.md §4.3). */
    static final int MAX_CONTENT = 4096;

    /** As JSON.parse, which the original's daemon uses: nothing but whitespace after the object. */
    private static final ObjectMapper JSON = JsonMapper.builder()
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS).build();

    /** Exactly one of message / rejection is set, or neither for a blank line. */
    record Parsed(OutboxMessage message, String text, String rejection) {
        boolean blank() {
            return message == null && rejection == null;
        }
    }

    private OutboxLineParser() {
    }

    static Parsed parse(byte[] bytes) {
        String text;
        try {
            text = StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(bytes)).toString();
        } catch (CharacterCodingException e) {
            return new Parsed(null, new String(bytes, StandardCharsets.UTF_8), "not valid UTF-8");
        }
        if (text.endsWith("\r")) {
            text = text.substring(0, text.length() - 1);
        }
        if (text.isBlank()) {
            return new Parsed(null, text, null);
        }
        JsonNode node;
        try {
            node = JSON.readTree(text);
        } catch (JsonProcessingException e) {
            return reject(text, "not valid JSON: " + e.getOriginalMessage());
        }
        if (node == null || !node.isObject()) {
            return reject(text, "not a JSON object");
        }
        JsonNode to = node.get("to");
        JsonNode content = node.get("content");
        if (to == null || !to.isTextual()) {
            return reject(text, "missing or non-string \"to\"");
        }
        if (content == null || !content.isTextual()) {
            return reject(text, "missing or non-string \"content\"");
        }
        String target = to.asText();
        if (!target.startsWith("#") && !target.startsWith("@") || target.length() < 2) {
            return reject(text, "\"to\" must be #channel or @agent");
        }
        String body = content.asText();
        if (body.isEmpty()) {
            return reject(text, "\"content\" is empty");
        }
        if (body.length() > MAX_CONTENT) {
            return reject(text, "\"content\" too long (" + body.length() + " > " + MAX_CONTENT + " chars)");
        }
        return new Parsed(new OutboxMessage(target, body, text), text, null);
    }

    /** A line longer than the tailer will hold; {@code head} is its first bytes. */
    static Parsed oversized(byte[] head) {
        return reject(new String(head, StandardCharsets.UTF_8),
                "line longer than " + head.length + " bytes (only the first bytes are kept here)");
    }

    private static Parsed reject(String text, String reason) {
        return new Parsed(null, text, reason);
    }
}
