package io.agentchat.json;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;

/**
 * {@code JSON.stringify} of a parsed JSON value, byte for byte as Node writes it: JavaScript string
 * escaping, {@code String(n)} numbers, and JavaScript's own key order (array-index keys first in
 * ascending order, then the rest in insertion order). Signatures over {@code JSON.stringify(skills)}
 * (see {@code SignedText}) and files Node reads (ratings.json) depend on these exact bytes.
 */
public final class JsStringify {

    private static final char[] HEX = "0123456789abcdef".toCharArray();

    private JsStringify() {
    }

    /** {@code JSON.stringify(value)}. */
    public static String compact(JsonNode value) {
        StringBuilder out = new StringBuilder();
        write(out, value, null, "");
        return out.toString();
    }

    /** {@code JSON.stringify(value, null, 2)}: no trailing newline. */
    public static String pretty(JsonNode value) {
        StringBuilder out = new StringBuilder();
        write(out, value, "  ", "");
        return out.toString();
    }

    /**
     * A JavaScript string literal as {@code JSON.stringify} writes it: only {@code "}, {@code \\} and
     * control characters below U+0020 are escaped ({@code \b \f \n \r \t}, otherwise lower-case
     * {@code \\u00xx}), lone surrogates become {@code \\udxxx}, and everything else stays raw.
     */
    public static String quote(String s) {
        StringBuilder out = new StringBuilder(s.length() + 2);
        quote(out, s);
        return out.toString();
    }

    private static void quote(StringBuilder out, String s) {
        out.append('"');
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '"' -> out.append("\\\"");
                case '\\' -> out.append("\\\\");
                case '\b' -> out.append("\\b");
                case '\f' -> out.append("\\f");
                case '\n' -> out.append("\\n");
                case '\r' -> out.append("\\r");
                case '\t' -> out.append("\\t");
                default -> {
                    if (c < 0x20) {
                        unicodeEscape(out, c);
                    } else if (Character.isHighSurrogate(c) && i + 1 < s.length()
                            && Character.isLowSurrogate(s.charAt(i + 1))) {
                        out.append(c).append(s.charAt(++i));
                    } else if (Character.isSurrogate(c)) {
                        unicodeEscape(out, c);
                    } else {
                        out.append(c);
                    }
                }
            }
        }
        out.append('"');
    }

    private static void unicodeEscape(StringBuilder out, char c) {
        out.append("\\u").append(HEX[(c >> 12) & 0xf]).append(HEX[(c >> 8) & 0xf])
                .append(HEX[(c >> 4) & 0xf]).append(HEX[c & 0xf]);
    }

    private static void write(StringBuilder out, JsonNode value, String indent, String current) {
        if (value == null || value.isNull() || value.isMissingNode()) {
            out.append("null");
        } else if (value.isTextual()) {
            out.append(quote(value.asText()));
        } else if (value.isBoolean()) {
            out.append(value.asBoolean());
        } else if (value.isNumber()) {
            double d = value.asDouble();
            // JSON.stringify writes NaN and the infinities as null.
            out.append(Double.isFinite(d) ? JsNumber.format(d) : "null");
        } else if (value.isArray()) {
            List<Object> items = new ArrayList<>();
            value.forEach(items::add);
            container(out, items, '[', ']', indent, current);
        } else if (value.isObject()) {
            container(out, orderedFields(value), '{', '}', indent, current);
        } else {
            out.append("null");
        }
    }

    private static void container(StringBuilder out, List<?> items, char open, char close, String indent,
            String current) {
        out.append(open);
        String inner = indent == null ? current : current + indent;
        boolean first = true;
        for (Object item : items) {
            if (!first) {
                out.append(',');
            }
            first = false;
            if (indent != null) {
                out.append('\n').append(inner);
            }
            if (item instanceof Map.Entry<?, ?> entry) {
                out.append(quote((String) entry.getKey())).append(indent == null ? ":" : ": ");
                write(out, (JsonNode) entry.getValue(), indent, inner);
            } else {
                write(out, (JsonNode) item, indent, inner);
            }
        }
        if (!first && indent != null) {
            out.append('\n').append(current);
        }
        out.append(close);
    }

    /** JavaScript property order: integer-like keys ascending, then string keys as inserted. */
    private static List<Map.Entry<String, JsonNode>> orderedFields(JsonNode object) {
        List<Map.Entry<String, JsonNode>> indexKeys = new ArrayList<>();
        List<Map.Entry<String, JsonNode>> others = new ArrayList<>();
        for (Iterator<Map.Entry<String, JsonNode>> it = object.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> field = it.next();
            (isArrayIndex(field.getKey()) ? indexKeys : others).add(field);
        }
        indexKeys.sort((a, b) -> Long.compare(Long.parseLong(a.getKey()), Long.parseLong(b.getKey())));
        indexKeys.addAll(others);
        return indexKeys;
    }

    /** A canonical array index: "0" or digits without a leading zero, below 2^32 - 1. */
    static boolean isArrayIndex(String key) {
        if (key.isEmpty() || key.length() > 10 || (key.length() > 1 && key.charAt(0) == '0')) {
            return false;
        }
        for (int i = 0; i < key.length(); i++) {
            if (key.charAt(i) < '0' || key.charAt(i) > '9') {
                return false;
            }
        }
        return Long.parseLong(key) < 4294967295L;
    }
}
