package io.agentchat.bench;

/**
 * Reads a string field out of a relay's compact JSON frame by text search, for the few control
 * frames (WELCOME, JOINED, PONG, ERROR) a scenario waits on. Both relays write {@code "type"} first
 * and no spaces; this is not a JSON parser and is never used for benchmark messages.
 */
final class JsonPeek {
    private JsonPeek() {
    }

    static String type(String frame) {
        return string(frame, "type");
    }

    /** The value of {@code "name":"value"}, or "" if there is none. */
    static String string(String frame, String name) {
        String key = "\"" + name + "\":\"";
        int start = frame.indexOf(key);
        if (start < 0) {
            return "";
        }
        start += key.length();
        int end = frame.indexOf('"', start);
        return end < 0 ? "" : frame.substring(start, end);
    }
}
