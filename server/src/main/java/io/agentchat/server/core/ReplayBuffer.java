package io.agentchat.server.core;

import java.util.ArrayDeque;
import java.util.List;

/**
 * The last N channel messages, kept as ready-to-send replay frames (already encoded with
 * {@code "replay":true}), oldest first. Guarded by its channel's lock; memory only.
 */
final class ReplayBuffer {
    private final int capacity;
    private final ArrayDeque<String> frames;

    ReplayBuffer(int capacity) {
        this.capacity = capacity;
        this.frames = new ArrayDeque<>(Math.min(capacity, 64));
    }

    void add(String replayFrame) {
        if (capacity == 0) {
            return;
        }
        if (frames.size() == capacity) {
            frames.removeFirst();
        }
        frames.addLast(replayFrame);
    }

    List<String> snapshot() {
        return List.copyOf(frames);
    }
}
