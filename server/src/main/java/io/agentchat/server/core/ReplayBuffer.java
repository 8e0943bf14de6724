package io.agentchat.server.core;

import io.agentchat.protocol.ReplayMarker;
import java.util.ArrayDeque;
import java.util.List;

/**
 * The last N channel messages, kept as ready-to-send replay frames (already encoded with
 * {@code "replay":true}), oldest first. Guarded by its channel's lock; memory only.
 * The marker is spliced into the relayed text ({@link ReplayMarker}).
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
        frames.addLast(ReplayMarker.marked(relayed));
    }

    List<String> snapshot() {
        return List.copyOf(frames);
    }
}
