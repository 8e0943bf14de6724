package io.agentchat.client;

/**
 * The text a MSG signature covers, as the reference client builds it (PROTOCOL.md §7.5):
 * {@code JSON.stringify({to, content, ts})} with the sender's own {@code ts}. The string is
 * written here with JavaScript's escaping rules rather than Jackson's (whose {@code \\u00XX}
 * escapes are upper-case), because the bytes must match what a Node peer would verify.
 */
public final class MessageSignature {
    private static final char[] HEX = "0123456789abcdef".toCharArray();

    private MessageSignature() {
    }

    /** {@code {"to":…,"content":…,"ts":…}} exactly as {@code JSON.stringify} writes it. */
    public static String signedText(String to, String content, long ts) {
        StringBuilder out = new StringBuilder(content.length() + to.length() + 40);
        out.append("{\"to\":");
        quote(out, to);
        out.append(",\"content\":");
        quote(out, content);
        out.append(",\"ts\":").append(ts).append('}');
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
                    if (c < 0x20 || isLoneSurrogate(s, i)) {
                        out.append("\\u").append(HEX[c >> 12 & 0xf]).append(HEX[c >> 8 & 0xf])
                                .append(HEX[c >> 4 & 0xf]).append(HEX[c & 0xf]);
                    } else {
                        out.append(c);
                    }
                }
            }
        }
        out.append('"');
    }

    private static boolean isLoneSurrogate(String s, int i) {
        char c = s.charAt(i);
        if (Character.isHighSurrogate(c)) {
            return i + 1 >= s.length() || !Character.isLowSurrogate(s.charAt(i + 1));
        }
        if (Character.isLowSurrogate(c)) {
            return i == 0 || !Character.isHighSurrogate(s.charAt(i - 1));
        }
        return false;
    }
}
