package io.agentchat.bench;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.Arrays;

/**
 * Parses RFC 6455 frames (7, 16 and 64-bit lengths, masked or not) out of a heap buffer that
 * holds whatever the last reads brought, in place: a frame cut in two by a read is left in the
 * buffer for the next one, and a fragmented message is reassembled. Payloads are handed over as a
 * slice of the buffer's own array, never copied into a String.
 */
final class FrameReader {
    /** Receives each complete message, or control frame, as {@code data[offset, offset+length)}. */
    @FunctionalInterface
    interface Handler {
        void onMessage(int opcode, byte[] data, int offset, int length) throws IOException;
    }

    private final int maxMessageBytes;
    private byte[] fragments = new byte[0];
    private int fragmentLength;
    private int fragmentOpcode = -1;

    FrameReader(int maxMessageBytes) {
        this.maxMessageBytes = maxMessageBytes;
    }

    /**
     * Hands every complete frame between the buffer's position and limit to {@code handler} and
     * moves the position past them. The buffer must be a heap buffer with array offset 0, ready to read.
     */
    void parse(ByteBuffer buffer, Handler handler) throws IOException {
        byte[] a = buffer.array();
        int p = buffer.position();
        int limit = buffer.limit();
        while (limit - p >= 2) {
            int b0 = a[p] & 0xFF;
            int b1 = a[p + 1] & 0xFF;
            long length = b1 & 0x7F;
            int header = 2;
            if (length == 126) {
                if (limit - p < 4) {
                    break;
                }
                length = ((a[p + 2] & 0xFF) << 8) | (a[p + 3] & 0xFF);
                header = 4;
            } else if (length == 127) {
                if (limit - p < 10) {
                    break;
                }
                length = 0;
                for (int i = 0; i < 8; i++) {
                    length = (length << 8) | (a[p + 2 + i] & 0xFF);
                }
                header = 10;
            }
            if (length > maxMessageBytes) {
                throw new IOException("frame of " + length + " bytes, more than " + maxMessageBytes);
            }
            boolean masked = (b1 & 0x80) != 0;
            int maskAt = p + header;
            if (masked) {
                header += 4;
            }
            if (limit - p - header < length) {
                break;
            }
            int start = p + header;
            if (masked) {
                for (int i = 0; i < length; i++) {
                    a[start + i] ^= a[maskAt + (i & 3)];
                }
            }
            deliver((b0 & 0x80) != 0, b0 & 0x0F, a, start, (int) length, handler);
            p = start + (int) length;
        }
        buffer.position(p);
    }

    /** The whole size of the frame at the buffer's position if its header is complete, else -1: lets the owner grow its buffer. */
    static long frameSize(ByteBuffer buffer) {
        int p = buffer.position();
        int available = buffer.limit() - p;
        if (available < 2) {
            return -1;
        }
        byte[] a = buffer.array();
        int b1 = a[p + 1] & 0xFF;
        int mask = (b1 & 0x80) != 0 ? 4 : 0;
        long length = b1 & 0x7F;
        if (length == 126) {
            return available < 4 ? -1 : 4 + mask + (((a[p + 2] & 0xFF) << 8) | (a[p + 3] & 0xFF));
        }
        if (length == 127) {
            if (available < 10) {
                return -1;
            }
            long big = 0;
            for (int i = 0; i < 8; i++) {
                big = (big << 8) | (a[p + 2 + i] & 0xFF);
            }
            return 10 + mask + big;
        }
        return 2 + mask + length;
    }

    private void deliver(boolean fin, int opcode, byte[] a, int start, int length, Handler handler) throws IOException {
        if (opcode >= WebSocketFrames.CLOSE) {
            handler.onMessage(opcode, a, start, length); // control frames are never fragmented
        } else if (opcode != WebSocketFrames.CONTINUATION && fin) {
            handler.onMessage(opcode, a, start, length);
        } else {
            if (opcode != WebSocketFrames.CONTINUATION) {
                fragmentOpcode = opcode;
                fragmentLength = 0;
            } else if (fragmentOpcode < 0) {
                throw new IOException("continuation frame with no message to continue");
            }
            if (fragmentLength + length > maxMessageBytes) {
                throw new IOException("fragmented message over " + maxMessageBytes + " bytes");
            }
            if (fragments.length < fragmentLength + length) {
                fragments = Arrays.copyOf(fragments, Math.max(fragments.length * 2, fragmentLength + length));
            }
            System.arraycopy(a, start, fragments, fragmentLength, length);
            fragmentLength += length;
            if (fin) {
                int whole = fragmentOpcode;
                fragmentOpcode = -1;
                handler.onMessage(whole, fragments, 0, fragmentLength);
            }
        }
    }
}
