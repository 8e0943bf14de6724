package io.agentchat.daemon;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

/**
 * A frame's text as one inbox line: the text exactly as received, unless it holds a raw line
 * break, in which case it is re-encoded compactly (JSON never needs one) so that one frame stays
 * one line.
 *
 * @param line the text to store, without its {@code \n}
 * @param frame the parsed JSON object, or null when the text is not one
 */
record InboxLine(String line, JsonNode frame) {

    private static final ObjectMapper JSON = new ObjectMapper();

    /** The line for {@code text}, or null when it spans lines and is not JSON (it cannot be stored). */
    static InboxLine of(String text) {
        JsonNode frame = parseObject(text);
        if (text.indexOf('\n') < 0 && text.indexOf('\r') < 0) {
            return new InboxLine(text, frame);
        }
        return frame == null ? null : new InboxLine(frame.toString(), frame);
    }

    /** The JSON object in {@code text}, or null when it is not one. */
    static JsonNode parseObject(String text) {
        try {
            JsonNode node = JSON.readTree(text);
            return node != null && node.isObject() ? node : null;
        } catch (JsonProcessingException e) {
            return null;
        }
    }
}
