package io.agentchat.server.transport;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.atomic.AtomicReference;

/**
 * UTF-8 bytes of a frame's text, encoded once per fan-out: the hub hands the same {@code String}
 * object to every member's socket in turn, so remembering the last one encoded lets every member
 * share one byte array (each gets its own slice, so positions are independent). A different text,
 * or the same text in another object, is simply encoded again: the cache is keyed by identity.
 * One per server; thread-safe.
 */
final class SharedUtf8 {

    private record Encoded(String text, ByteBuffer bytes) {
    }

    private final AtomicReference<Encoded> last = new AtomicReference<>();

    /** The bytes of {@code text}, as a slice of its own; never written to by anyone. */
    ByteBuffer encode(String text) {
        Encoded seen = last.get();
        if (seen == null || seen.text() != text) {
            seen = new Encoded(text, ByteBuffer.wrap(text.getBytes(StandardCharsets.UTF_8)));
            last.set(seen);
        }
        return seen.bytes().slice();
    }
}
