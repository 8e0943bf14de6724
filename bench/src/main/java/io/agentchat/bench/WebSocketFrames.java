package io.agentchat.bench;

import java.nio.ByteBuffer;
import java.util.concurrent.ThreadLocalRandom;

/** Building RFC 6455 frames (section 5.2): masked ones as a client sends them, unmasked ones as a server does. */
final class WebSocketFrames {
    static final int CONTINUATION = 0x0;
    static final int TEXT = 0x1;
    static final int BINARY = 0x2;
    static final int CLOSE = 0x8;
    static final int PING = 0x9;
    static final int PONG = 0xA;

    private WebSocketFrames() {
    }

    /** A final client frame: header, 4-byte mask and the masked payload, ready to write. */
    static ByteBuffer clientFrame(int opcode, byte[] payload) {
        int length = payload.length;
        ByteBuffer frame = ByteBuffer.allocate(headerLength(length) + 4 + length);
        putHeader(frame, opcode, length, true);
        int mask = ThreadLocalRandom.current().nextInt();
        frame.putInt(mask);
        byte[] key = {(byte) (mask >>> 24), (byte) (mask >>> 16), (byte) (mask >>> 8), (byte) mask};
        for (int i = 0; i < length; i++) {
            frame.put((byte) (payload[i] ^ key[i & 3]));
        }
        return frame.flip();
    }

    /** A final unmasked server frame whose payload is {@code payload[offset, offset+length)}. */
    static ByteBuffer serverFrame(int opcode, byte[] payload, int offset, int length) {
        return serverFrameStart(opcode, length).put(payload, offset, length).flip();
    }

    /** An unmasked server frame's header in a buffer with exactly {@code length} bytes of room left for the payload. */
    static ByteBuffer serverFrameStart(int opcode, int length) {
        ByteBuffer frame = ByteBuffer.allocate(headerLength(length) + length);
        putHeader(frame, opcode, length, false);
        return frame;
    }

    /** A close frame's payload: the two-byte status code. */
    static byte[] closePayload(int code) {
        return new byte[] {(byte) (code >>> 8), (byte) code};
    }

    private static int headerLength(int payloadLength) {
        return payloadLength < 126 ? 2 : payloadLength <= 0xFFFF ? 4 : 10;
    }

    private static void putHeader(ByteBuffer frame, int opcode, int length, boolean masked) {
        frame.put((byte) (0x80 | opcode));
        int maskBit = masked ? 0x80 : 0;
        if (length < 126) {
            frame.put((byte) (maskBit | length));
        } else if (length <= 0xFFFF) {
            frame.put((byte) (maskBit | 126)).putShort((short) length);
        } else {
            frame.put((byte) (maskBit | 127)).putLong(length);
        }
    }
}
