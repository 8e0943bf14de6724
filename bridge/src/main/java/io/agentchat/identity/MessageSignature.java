package io.agentchat.identity;

/**
 * The text the reference client signs for a MSG (PROTOCOL.md §7.5):
 * {@code JSON.stringify({to, content, ts})} with the sender's own timestamp.
 */
public final class MessageSignature {
    private MessageSignature() {
    }

    public static String text(String to, String content, long ts) {
        return "{\"to\":" + JsJson.quote(to) + ",\"content\":" + JsJson.quote(content) + ",\"ts\":" + ts + "}";
    }
}
