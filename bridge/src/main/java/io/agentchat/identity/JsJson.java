package io.agentchat.identity;

import com.fasterxml.jackson.databind.ObjectMapper;

/**
 * JavaScript's string escaping, and {@code JSON.stringify} of the plain maps and lists identities
 * are built from (written by {@link JsStringify}). Jackson's own writer is not used because its
 * escaping differs (upper-case hex) and these bytes are signed or compared with Node's files.
 */
final class JsJson {

    private static final char[] HEX = "0123456789abcdef".toCharArray();
    /** Turns maps and lists into a tree; strings stay strings, insertion order is kept. */
    private static final ObjectMapper TREES = new ObjectMapper();

    private JsJson() {
    }

    /** {@code JSON.stringify(value)} of plain maps, lists and strings (insertion order kept). */
    static String compact(Object value) {
        return JsStringify.compact(TREES.valueToTree(value));
    }

    /** {@code JSON.stringify(value, null, 2)}: no trailing newline. */
    static String pretty(Object value) {
        return JsStringify.pretty(TREES.valueToTree(value));
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
