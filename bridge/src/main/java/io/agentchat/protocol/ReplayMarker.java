package io.agentchat.protocol;

/**
 * The text form of a replayed message (docs/protocol.md §7.8): the relayed MSG's text with
 * {@code "replay":true} as its last key, where the reference appends it. The server adds it to the
 * copies it keeps for replay; the daemon takes it off a replayed message it had missed.
 */
public final class ReplayMarker {
    private static final String MARKED_END = ",\"replay\":true}";

    private ReplayMarker() {
    }

    /** {@code relayed} (a JSON object's text) with the marker as its last key. */
    public static String marked(String relayed) {
        return relayed.substring(0, relayed.length() - 1) + MARKED_END;
    }

    /** {@code text} without a trailing marker, or {@code text} itself when it ends in none. */
    public static String unmarked(String text) {
        return text.endsWith(MARKED_END) ? text.substring(0, text.length() - MARKED_END.length()) + "}" : text;
    }
}
