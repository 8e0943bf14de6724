package io.agentchat.cli;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.regex.Pattern;

/**
 * Reads {@code skills announce --file} (the reference's loader is dead code). The reference
 * meant a YAML document that is either {@code skills:} followed by a list of flat maps, or one
 * flat map; that is the subset accepted here, plus JSON (which is YAML too). Values are scalars:
 * numbers, booleans, null, plain or quoted strings. Anything richer is refused with the line
 * number rather than guessed at, so no YAML library is needed.
 * <pre>
 * skills:
 *   - capability: code_review
 *     rate: 5
 *     currency: TEST
 *     description: "Reviews code"
 * </pre>
 */
final class SkillsFile {
    static final long MAX_BYTES = 256 * 1024;
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Pattern KEY_VALUE = Pattern.compile("([A-Za-z_][A-Za-z0-9_-]*)\\s*:(?:\\s+(.*))?");
    private static final Pattern NUMBER = Pattern.compile("[-+]?(\\d+\\.?\\d*|\\.\\d+)([eE][-+]?\\d+)?");

    private SkillsFile() {
    }

    /** The skills array to register. */
    static ArrayNode read(Path file) {
        String text;
        try {
            if (Files.size(file) > MAX_BYTES) {
                throw new IllegalArgumentException("Skills file too large (max 256 KiB): " + file);
            }
            text = Files.readString(file, StandardCharsets.UTF_8);
        } catch (NoSuchFileException e) {
            throw new IllegalArgumentException("Skills file not found: " + file.toAbsolutePath());
        } catch (IOException e) {
            throw new IllegalArgumentException("Cannot read skills file " + file.toAbsolutePath() + ": " + e.getMessage());
        }
        String trimmed = text.strip();
        JsonNode document = trimmed.startsWith("{") || trimmed.startsWith("[") ? json(file, trimmed) : yaml(file, text);
        return skills(file, document);
    }

    /** {@code data.skills || [data]}, as the reference meant it. */
    private static ArrayNode skills(Path file, JsonNode document) {
        JsonNode list = document.isObject() && document.has("skills") ? document.get("skills") : null;
        if (list == null) {
            if (!document.isObject() || document.isEmpty()) {
                throw new IllegalArgumentException("Skills file " + file + " has no skills");
            }
            return JsonNodeFactory.instance.arrayNode().add(document);
        }
        if (!list.isArray()) {
            throw new IllegalArgumentException("Skills file " + file + ": 'skills' must be a list");
        }
        return (ArrayNode) list;
    }

    private static JsonNode json(Path file, String text) {
        try {
            return JSON.readTree(text);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("Invalid JSON in skills file " + file + " at line "
                    + e.getLocation().getLineNr());
        }
    }

    private static JsonNode yaml(Path file, String text) {
        ObjectNode root = JsonNodeFactory.instance.objectNode();
        ArrayNode list = null;
        ObjectNode item = null;
        int itemIndent = -1;
        String[] lines = text.split("\r?\n", -1);
        for (int n = 0; n < lines.length; n++) {
            String line = stripComment(lines[n]);
            if (line.isBlank() || line.strip().equals("---")) {
                continue;
            }
            int indent = line.length() - line.stripLeading().length();
            String content = line.strip();
            if (indent == 0) {
                item = null;
                KeyValue kv = keyValue(file, n, content);
                if (kv.value == null && kv.key.equals("skills")) {
                    list = root.putArray("skills");
                } else {
                    list = null;
                    root.set(kv.key, scalar(file, n, kv.value));
                }
            } else if (list != null && content.startsWith("- ")) {
                item = list.addObject();
                itemIndent = indent + 2 + (content.substring(2).length() - content.substring(2).stripLeading().length());
                KeyValue kv = keyValue(file, n, content.substring(2).strip());
                item.set(kv.key, scalar(file, n, kv.value));
            } else if (item != null && indent == itemIndent) {
                KeyValue kv = keyValue(file, n, content);
                item.set(kv.key, scalar(file, n, kv.value));
            } else {
                throw unsupported(file, n, "unexpected indentation or structure");
            }
        }
        return root;
    }

    private record KeyValue(String key, String value) {
    }

    private static KeyValue keyValue(Path file, int n, String content) {
        var m = KEY_VALUE.matcher(content);
        if (!m.matches()) {
            throw unsupported(file, n, "expected 'key: value'");
        }
        String value = m.group(2);
        return new KeyValue(m.group(1), value == null || value.isBlank() ? null : value.strip());
    }

    private static JsonNode scalar(Path file, int n, String value) {
        JsonNodeFactory f = JsonNodeFactory.instance;
        if (value == null || value.equals("~") || value.equals("null")) {
            return f.nullNode();
        }
        if (value.startsWith("\"")) {
            try {
                JsonNode parsed = JSON.readTree(value);
                if (parsed.isTextual()) {
                    return parsed;
                }
            } catch (JsonProcessingException e) {
                // reported below
            }
            throw unsupported(file, n, "bad double-quoted string");
        }
        if (value.startsWith("'")) {
            if (value.length() < 2 || !value.endsWith("'")) {
                throw unsupported(file, n, "bad single-quoted string");
            }
            return f.textNode(value.substring(1, value.length() - 1).replace("''", "'"));
        }
        if (value.startsWith("[") || value.startsWith("{") || value.startsWith("|") || value.startsWith(">")
                || value.startsWith("&") || value.startsWith("*") || value.startsWith("!")) {
            throw unsupported(file, n, "only plain values are supported");
        }
        if (value.equals("true") || value.equals("false")) {
            return f.booleanNode(value.equals("true"));
        }
        if (NUMBER.matcher(value).matches()) {
            double d = Double.parseDouble(value);
            return d == Math.rint(d) && Math.abs(d) < 1e15 ? f.numberNode((long) d) : f.numberNode(d);
        }
        return f.textNode(value);
    }

    /** Drops a {@code #} comment that starts the line or follows whitespace, outside quotes. */
    private static String stripComment(String line) {
        char quote = 0;
        for (int i = 0; i < line.length(); i++) {
            char c = line.charAt(i);
            if (quote != 0) {
                if (c == quote) {
                    quote = 0;
                }
            } else if (c == '"' || c == '\'') {
                quote = c;
            } else if (c == '#' && (i == 0 || Character.isWhitespace(line.charAt(i - 1)))) {
                return line.substring(0, i);
            }
        }
        return line;
    }

    private static IllegalArgumentException unsupported(Path file, int n, String why) {
        return new IllegalArgumentException("Unsupported YAML in " + file + " at line " + (n + 1) + ": " + why
                + " (expected 'skills:' with a list of flat 'key: value' items)");
    }
}
