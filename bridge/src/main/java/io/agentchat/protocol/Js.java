package io.agentchat.protocol;

import com.fasterxml.jackson.databind.JsonNode;

/** JavaScript's notion of "absent" and "falsy" for JSON values, which the wire contract follows (§12.3). */
final class Js {
    private Js() {
    }

    /** Present: neither missing nor JSON {@code null} (Q28: null is treated as absent). */
    static boolean present(JsonNode value) {
        return value != null && !value.isNull() && !value.isMissingNode();
    }

    /** JavaScript truthiness: not undefined, null, false, 0, NaN or "". */
    static boolean truthy(JsonNode value) {
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
