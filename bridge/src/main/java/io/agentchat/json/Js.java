package io.agentchat.json;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * JavaScript's notion of "absent" and "falsy" for JSON values. The wire contract is the Node
 * original's, which tests fields for truthiness, so the server's validation follows these rules to
 * accept and refuse the same frames.
 */
public final class Js {
    private Js() {
    }

    /** Present: neither missing nor JSON {@code null}; an explicit null counts as an absent field. */
    public static boolean present(JsonNode value) {
        return value != null && !value.isNull() && !value.isMissingNode();
    }

    /** JavaScript truthiness: not undefined, null, false, 0, NaN or "". */
    public static boolean truthy(JsonNode value) {
        if (!present(value)) {
            return false;
        }
        if (value.isBoolean()) {
            return value.asBoolean();
        }
        if (value.isNumber()) {
            double d = value.asDouble();
            return d != 0 && !Double.isNaN(d);
        }
        if (value.isTextual()) {
            return !value.asText().isEmpty();
        }
        return true;
    }
}
