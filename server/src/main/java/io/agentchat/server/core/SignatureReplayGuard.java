package io.agentchat.server.core;

import java.nio.ByteBuffer;
import java.util.Comparator;
import java.util.HashSet;
import java.util.PriorityQueue;
import java.util.Set;

/**
 * Signatures of relayed messages, by their bytes, each until a given time. Expired entries leave
 * in expiry order, so no call scans the whole set. Bounded: when full, nothing new is remembered
 * and nothing is forgotten early (the caller decides what "full" means for the message).
 */
final class SignatureReplayGuard {
    enum Use { FIRST, SEEN, FULL }

    private record Entry(ByteBuffer signature, long expiresAt) {
    }

    private final Set<ByteBuffer> seen = new HashSet<>();
    private final PriorityQueue<Entry> byExpiry = new PriorityQueue<>(Comparator.comparingLong(Entry::expiresAt));
    private final int capacity;

    SignatureReplayGuard(int capacity) {
        this.capacity = capacity;
    }

    /** Records a signature until {@code expiresAt}, unless it is already there or there is no room. */
    synchronized Use use(byte[] signature, long expiresAt, long now) {
        while (!byExpiry.isEmpty() && byExpiry.peek().expiresAt() <= now) {
            seen.remove(byExpiry.poll().signature());
        }
        ByteBuffer key = ByteBuffer.wrap(signature.clone());
        if (seen.contains(key)) {
            return Use.SEEN;
        }
        if (seen.size() >= capacity) {
            return Use.FULL;
        }
        seen.add(key);
        byExpiry.add(new Entry(key, expiresAt));
        return Use.FIRST;
    }
}
