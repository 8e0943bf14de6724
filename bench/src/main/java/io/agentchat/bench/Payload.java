package io.agentchat.bench;

/**
 * The content of a benchmark message, {@code bench|<publisher>|<seq>|<System.nanoTime at send>}.
 * It is found in a received frame by text search, not by a JSON parse, so that reading hundreds of
 * thousands of deliveries a second does not make the load generator the bottleneck.
 */
final class Payload {
    /** Both the reference and our relay write {@code "content"} right before the value, no spaces. */
    static final String MARKER = "\"content\":\"bench|";

    private Payload() {
    }

    static String content(int publisher, long seq, long sentNanos) {
        return "bench|" + publisher + '|' + seq + '|' + sentNanos;
    }

    /** Where the payload's fields start in a frame, or -1 if the frame is not a benchmark message. */
    static int find(String frame) {
        int at = frame.indexOf(MARKER);
        return at < 0 ? -1 : at + MARKER.length();
    }

    /** Parses the three numbers starting at {@code from}; writes publisher, seq, sentNanos into {@code out}. */
    static void parse(String frame, int from, long[] out) {
        int field = 0;
        long value = 0;
        boolean negative = false;
        for (int i = from; i < frame.length(); i++) {
            char c = frame.charAt(i);
            if (c >= '0' && c <= '9') {
                value = value * 10 + (c - '0');
            } else if (c == '-') {
                negative = true; // System.nanoTime may be negative
            } else {
                out[field++] = negative ? -value : value;
                if (c != '|' || field == 3) {
                    break;
                }
                value = 0;
                negative = false;
            }
        }
        if (field != 3) {
            throw new IllegalArgumentException("malformed benchmark payload in " + frame);
        }
    }
}
