package io.agentchat.control;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.agentchat.protocol.Names;

/**
 * Reads one request's arguments and refuses a bad one with a message that says what to send instead.
 * Models misspell, omit and mistype arguments; every check here names the argument and the fix.
 */
final class RequestArguments {

    private final ObjectNode arguments;

    RequestArguments(ObjectNode arguments) {
        this.arguments = arguments;
    }

    /** A required non-blank string. */
    String text(String name) {
        String value = optionalText(name);
        if (value == null || value.isBlank()) {
            throw new RequestRefused("missing \"" + name + "\"");
        }
        return value;
    }

    /** A string, or null when absent. */
    String optionalText(String name) {
        JsonNode node = arguments.get(name);
        if (node == null || node.isNull()) {
            return null;
        }
        if (!node.isTextual()) {
            throw new RequestRefused("\"" + name + "\" must be a string");
        }
        return node.asText();
    }

    /** A finite number, or null when absent. */
    Double optionalNumber(String name) {
        JsonNode node = arguments.get(name);
        if (node == null || node.isNull()) {
            return null;
        }
        if (!node.isNumber() || !Double.isFinite(node.asDouble())) {
            throw new RequestRefused("\"" + name + "\" must be a number");
        }
        return node.asDouble();
    }

    /** A whole number within [min, max], or null when absent. */
    Integer optionalInteger(String name, int min, int max) {
        JsonNode node = arguments.get(name);
        if (node == null || node.isNull()) {
            return null;
        }
        if (!node.isIntegralNumber() || node.asLong() < min || node.asLong() > max) {
            throw new RequestRefused("\"" + name + "\" must be a whole number from " + min + " to " + max);
        }
        return node.asInt();
    }

    boolean flag(String name) {
        JsonNode node = arguments.get(name);
        if (node == null || node.isNull()) {
            return false;
        }
        if (!node.isBoolean()) {
            throw new RequestRefused("\"" + name + "\" must be true or false");
        }
        return node.asBoolean();
    }

    /** The raw node, or null when absent. */
    JsonNode node(String name) {
        JsonNode node = arguments.get(name);
        return node == null || node.isNull() ? null : node;
    }

    /** {@code #name}: a channel with its {@code #}. */
    String channel(String name) {
        String value = text(name);
        if (!value.startsWith("#")) {
            throw new RequestRefused("\"" + name + "\" must be a channel starting with #, such as \"#" + value + "\"");
        }
        if (!Names.isChannel(value)) {
            throw new RequestRefused("\"" + value + "\" is not a valid channel name: # and 1-31 letters, digits, _ or -");
        }
        return value;
    }

    /** {@code @id}: an agent; a missing {@code @} is added, as the CLI does. */
    String agent(String name) {
        String value = text(name);
        String ref = value.startsWith("@") ? value : "@" + value;
        if (!Names.isAgentTarget(ref)) {
            throw new RequestRefused("\"" + value + "\" is not an agent id such as \"@1a2b3c4d\"");
        }
        return ref;
    }

    /** {@code #channel} or {@code @agent}. */
    String target(String name) {
        String value = text(name);
        if (!Names.isChannelTarget(value) && !Names.isAgentTarget(value)) {
            throw new RequestRefused("\"" + name + "\" must be \"#channel\" or \"@agent\", not \"" + value + "\"");
        }
        return value;
    }

    /** Message text: not blank, at most {@link Names#MAX_CONTENT_LENGTH} characters. */
    String content(String name) {
        String value = text(name);
        if (value.length() > Names.MAX_CONTENT_LENGTH) {
            throw new RequestRefused("\"" + name + "\" is too long: " + value.length() + " characters, at most "
                    + Names.MAX_CONTENT_LENGTH);
        }
        return value;
    }
}
