package io.agentchat.reputation;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.agentchat.json.JsStringify;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The reference's {@code ratings.json}: {@code @id → {rating, transactions, updated}}, written as
 * {@code JSON.stringify(obj, null, 2)} without a trailing newline. One format for the server's
 * store and the CLI's local ledger, so both read what the reference writes.
 */
public final class RatingsFormat {
    private static final ObjectMapper JSON = new ObjectMapper();

    private RatingsFormat() {
    }

    /**
     * Parses the file's text.
     *
     * @throws IllegalArgumentException with the problem in a few words (no file name: callers add it)
     */
    public static Map<String, Rating> parse(String text) {
        JsonNode root;
        try {
            root = JSON.readTree(text);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("invalid JSON at line " + e.getLocation().getLineNr()
                    + ", column " + e.getLocation().getColumnNr());
        }
        if (root == null || !root.isObject()) {
            throw new IllegalArgumentException("expected a JSON object of agent ratings");
        }
        Map<String, Rating> loaded = new LinkedHashMap<>();
        for (Iterator<Map.Entry<String, JsonNode>> it = root.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> field = it.next();
            loaded.put(field.getKey(), entry(field.getKey(), field.getValue()));
        }
        return loaded;
    }

    public static String render(Map<String, Rating> ratings) {
        ObjectNode root = JsonNodeFactory.instance.objectNode();
        ratings.forEach((id, r) -> {
            ObjectNode entry = root.putObject(id);
            entry.put("rating", r.rating());
            entry.put("transactions", r.transactions());
            if (r.updated() == null) {
                entry.putNull("updated");
            } else {
                entry.put("updated", r.updated());
            }
        });
        return JsStringify.pretty(root);
    }

    private static Rating entry(String id, JsonNode value) {
        if (!value.isObject()) {
            throw new IllegalArgumentException("entry " + id + " is not an object");
        }
        JsonNode updated = value.get("updated");
        if (updated != null && !updated.isNull() && !updated.isTextual()) {
            throw new IllegalArgumentException("entry " + id + " has a non-string updated");
        }
        // The reference saves a NaN rating as null; such an agent starts over rather than poison the file.
        return new Rating(number(id, "rating", value.get("rating"), Elo.START),
                number(id, "transactions", value.get("transactions"), 0),
                updated == null || updated.isNull() ? null : updated.asText());
    }

    private static int number(String id, String key, JsonNode value, int ifNull) {
        if (value == null || value.isNull()) {
            return ifNull;
        }
        if (!value.isNumber() || !Double.isFinite(value.asDouble()) || Math.abs(value.asDouble()) > 1e9) {
            throw new IllegalArgumentException("entry " + id + " has an invalid " + key);
        }
        return (int) Math.round(value.asDouble());
    }
}
