package io.agentchat.server.core;

import java.util.ArrayDeque;
import java.util.List;

/**
 * The last N channel messages, kept as ready-to-send replay frames (already encoded with
 * {@code "replay":true}), oldest first. Guarded by its channel's lock; memory only.
 *
 * <p>The marker is spliced in as the last key, where the reference appends it, so the stored copy
 * is the relayed frame's text with {@code ,"replay":true} before its closing brace.
 */
final class ReplayBuffer {
    private final int capacity;
    private final ArrayDeque<String> frames;

    ReplayBuffer(int capacity) {
        this.capacity = capacity;
        this.frames = new ArrayDeque<>(Math.min(capacity, 64));
    }

    /** Keeps {@code relayed}, the text readers got, as its replay frame. */
    void add(String relayed) {
        if (capacity == 0) {
            return;
        }
        if (frames.size() == capacity) {
            frames.removeFirst();
        }
        frames.addLast(relayed.substring(0, relayed.length() - 1) + ",\"replay\":true}");
    }

    List<String> snapshot() {
        return List.copyOf(frames);
    }
}
