package io.agentchat.server.core;

import java.util.concurrent.ConcurrentHashMap;

/**
 * Remembers recently seen message signatures so a signed message copied from the channel cannot
 * be replayed as somebody else's proof of key possession. Entries expire with the freshness
 * window; the map is bounded, and when it is full new proofs are refused rather than remembered
 * partially (the IDENTIFY challenge still works).
 */
final class SignatureReplayGuard {
    private final ConcurrentHashMap<String, Long> seen = new ConcurrentHashMap<>();
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

    /** Records a signature; false if it was seen before or the guard is full. */
    boolean firstUse(String sig, long now) {
        if (seen.size() >= capacity) {
            seen.values().removeIf(expiry -> expiry < now);
            if (seen.size() >= capacity) {
                return false;
            }
        }
        return seen.putIfAbsent(sig, now + 2 * windowMillis) == null;
    }
}
