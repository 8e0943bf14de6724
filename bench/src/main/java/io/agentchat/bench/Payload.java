package io.agentchat.bench;

import java.nio.charset.StandardCharsets;

/**
 * The content of a benchmark message, {@code bench|<publisher>|<seq>|<System.nanoTime at send>}.
 * Subscribers find it in the frame's bytes and read its three numbers there: no String, no JSON
 * parse, so that a delivery costs the load generator a scan of about a hundred bytes.
 */
final class Payload {
    /** Both the original and our relay write {@code "content"} right before the value, no spaces. */
    private static final byte[] MARKER = "\"content\":\"bench|".getBytes(StandardCharsets.US_ASCII);

    private Payload() {
    }

    static String content(int publisher, long seq, long sentNanos) {
        return "bench|" + publisher + '|' + seq + '|' + sentNanos;
    }

    /** Where the payload's numbers start in {@code data[from, to)}, or -1 if it is not a benchmark message. */
    static int find(byte[] data, int from, int to) {
        byte first = MARKER[0];
        int last = to - MARKER.length;
        outer:
        for (int i = from; i <= last; i++) {
            if (data[i] != first) {
                continue;
            }
            for (int j = 1; j < MARKER.length; j++) {
                if (data[i + j] != MARKER[j]) {
                    continue outer;
                }
            }
            return i + MARKER.length;
        }
        return -1;
    }

    /** Reads publisher, seq and sentNanos starting at {@code from} into {@code out}; false if malformed. */
    static boolean parse(byte[] data, int from, int to, long[] out) {
        int field = 0;
        long value = 0;
        boolean negative = false;
        boolean digits = false;
        for (int i = from; i < to; i++) {
            byte c = data[i];
            if (c >= '0' && c <= '9') {
                value = value * 10 + (c - '0');
                digits = true;
            } else if (c == '-' && !digits) {
                negative = true; // System.nanoTime may be negative
            } else {
                if (!digits) {
                    return false;
                }
                out[field++] = negative ? -value : value;
                if (c != '|' || field == 3) {
                    break;
                }
                value = 0;
                negative = false;
                digits = false;
            }
        }
        return field == 3;
    }
}
