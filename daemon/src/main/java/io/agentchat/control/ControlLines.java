package io.agentchat.control;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;

/**
 * The control socket's wire format: one JSON object per {@code \n}-terminated UTF-8 line, each way.
 * A request is {@code {"op": "...", "args": {...}}}; its answer is {@code {"ok": true, "result": {...}}}
 * or {@code {"ok": false, "error": "..."}}. Lines are bounded so a peer cannot make either side buffer
 * without limit.
 */
final class ControlLines {

    /** Far above any request (message content is at most 4096 characters) or answer (a channel list). */
    static final int MAX_LINE_BYTES = 1 << 20;

    private static final ObjectMapper MAPPER = JsonMapper.builder().build();

    private ControlLines() {
    }

    static ObjectNode request(String operation, ObjectNode arguments) {
        ObjectNode request = MAPPER.createObjectNode();
        request.put("op", operation);
        request.set("args", arguments == null ? MAPPER.createObjectNode() : arguments);
        return request;
    }

    static ObjectNode answer(ObjectNode result) {
        ObjectNode answer = MAPPER.createObjectNode();
        answer.put("ok", true);
        answer.set("result", result);
        return answer;
    }

    static ObjectNode refusal(String error) {
        ObjectNode answer = MAPPER.createObjectNode();
        answer.put("ok", false);
        answer.put("error", error);
        return answer;
    }

    /** The line for {@code node}, with its {@code \n}. */
    static byte[] encode(JsonNode node) {
        try {
            return (MAPPER.writeValueAsString(node) + "\n").getBytes(StandardCharsets.UTF_8);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("a JSON tree always serialises", e);
        }
    }

    /** A JSON object, or null if {@code line} is not one. */
    static ObjectNode decode(String line) {
        try {
            JsonNode node = MAPPER.readTree(line);
            return node instanceof ObjectNode object ? object : null;
        } catch (JsonProcessingException e) {
            return null;
        }
    }

    /**
     * The next line without its {@code \n}; null at the end of the stream.
     *
     * @throws IOException also when the line passes {@link #MAX_LINE_BYTES}
     */
    static String readLine(InputStream in) throws IOException {
        ByteArrayOutputStream line = new ByteArrayOutputStream();
        int b;
        while ((b = in.read()) != -1) {
            if (b == '\n') {
                return line.toString(StandardCharsets.UTF_8);
            }
            if (line.size() >= MAX_LINE_BYTES) {
                throw new IOException("control line longer than " + MAX_LINE_BYTES + " bytes");
            }
            line.write(b);
        }
        return line.size() == 0 ? null : line.toString(StandardCharsets.UTF_8);
    }
}
