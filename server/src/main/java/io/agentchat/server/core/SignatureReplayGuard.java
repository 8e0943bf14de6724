package io.agentchat.server.core;

import java.nio.ByteBuffer;
import java.util.ArrayDeque;
import java.util.HashSet;
import java.util.Set;

/**
 * Remembers the signatures of recent signed messages, by their bytes, so a message copied from a
 * channel cannot be sent again by a session that has not proved the key. A signature is remembered
 * for twice the freshness window (after that its timestamp is stale and it is refused anyway).
 * Entries expire in the order they were added, so no call scans the whole set. The set is
 * bounded: when it is full, {@link #firstUse} answers false (unproven senders are refused, proven
 * ones do not need it), never forgets an entry early.
 */
final class SignatureReplayGuard {
    private record Entry(ByteBuffer signature, long expiresAt) {
    }

    private final Set<ByteBuffer> seen = new HashSet<>();
    private final ArrayDeque<Entry> byExpiry = new ArrayDeque<>();
    private final long windowMillis;
    private final int capacity;

    SignatureReplayGuard(long windowMillis, int capacity) {
        this.windowMillis = windowMillis;
        this.capacity = capacity;
    }

    /** True if the signed timestamp is inside the freshness window around {@code now}. */
    boolean fresh(long signedTs, long now) {
        return Math.abs(now - signedTs) <= windowMillis;
    }

    /** Records a signature's bytes; false if they were seen before or the guard is full. */
    synchronized boolean firstUse(byte[] signature, long now) {
        while (!byExpiry.isEmpty() && byExpiry.peekFirst().expiresAt() <= now) {
            seen.remove(byExpiry.pollFirst().signature());
        }
        ByteBuffer key = ByteBuffer.wrap(signature.clone());
        if (seen.contains(key) || seen.size() >= capacity) {
            return false;
        }
        seen.add(key);
        byExpiry.addLast(new Entry(key, now + 2 * windowMillis));
        return true;
    }
}
