package io.agentchat.identity;

import java.util.List;
import java.util.Map;

/**
 * Writes JSON exactly as JavaScript's {@code JSON.stringify} does, for the few shapes identities need:
 * strings, string-keyed maps (in iteration order) and lists.
 *
 * <p>Jackson is not used for writing because its escaping differs (upper-case {@code \\u00XX} hex) and
 * these bytes are signed or compared with files written by Node (PROTOCOL.md §12.2).
 */
final class JsJson {

    private static final char[] HEX = "0123456789abcdef".toCharArray();

    private JsJson() {
    }

    /** {@code JSON.stringify(value)}: compact. */
    static String compact(Object value) {
        StringBuilder out = new StringBuilder();
        write(out, value, null, "");
        return out.toString();
    }

    /** {@code JSON.stringify(value, null, 2)}: two-space indentation, no trailing newline. */
    static String pretty(Object value) {
        StringBuilder out = new StringBuilder();
        write(out, value, "  ", "");
        return out.toString();
    }

    /**
     * A JavaScript string literal as {@code JSON.stringify} writes it: only {@code "}, {@code \\} and
     * control characters below U+0020 are escaped ({@code \b \f \n \r \t}, otherwise lower-case
     * {@code \\u00xx}), lone surrogates become {@code \\udxxx}, and everything else stays raw.
     */
    static String quote(String s) {
        StringBuilder out = new StringBuilder(s.length() + 2);
        quote(out, s);
        return out.toString();
    }

    private static void write(StringBuilder out, Object value, String indent, String current) {
        if (value instanceof String s) {
            quote(out, s);
        } else if (value instanceof Map<?, ?> map) {
            writeContainer(out, map.entrySet(), '{', '}', indent, current);
        } else if (value instanceof List<?> list) {
            writeContainer(out, list, '[', ']', indent, current);
        } else {
            throw new IllegalArgumentException("unsupported JSON value: " + (value == null ? "null" : value.getClass()));
        }
    }

    private static void writeContainer(StringBuilder out, Iterable<?> items, char open, char close,
            String indent, String current) {
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
                quote(out, (String) entry.getKey());
                out.append(indent == null ? ":" : ": ");
                write(out, entry.getValue(), indent, inner);
            } else {
                write(out, item, indent, inner);
            }
        }
        // JSON.stringify prints empty containers as [] and {} even when indenting.
        if (!first && indent != null) {
            out.append('\n').append(current);
        }
        out.append(close);
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
}
