package io.agentchat.daemon;

import java.util.List;
import java.util.Optional;

/**
 * The consumed position in each outbox generation: the content of {@code outbox.offset}.
 *
 * <p>On disk: {@code {"version":1,"generations":[{"file":"outbox.jsonl","key":"(dev=803,ino=42)","offset":1234}]}}.
 * {@code key} is the file's identity ({@code BasicFileAttributes.fileKey()}, device and inode on
 * Linux), so a position is applied only to the file it was taken from, whatever its name is now
 * (our own rename to {@code outbox.jsonl.processing}, or a user who deleted and recreated the
 * outbox). {@code offset} is always just past a {@code \n}: every byte before it has been handled
 * (accepted by the server, set aside in the rejects file, or a blank line). An inode number can be
 * reused once its file is deleted, so {@code head} (a digest of the file's first
 * {@code min(offset, 256)} bytes, which an append-only file never changes) must match as well.
 */
record OutboxCheckpoint(List<Entry> generations) {

    static final int VERSION = 1;

    record Entry(String file, String key, long offset, String head) {
    }

    OutboxCheckpoint {
        generations = List.copyOf(generations);
    }

    static OutboxCheckpoint empty() {
        return new OutboxCheckpoint(List.of());
    }

    Optional<Entry> forKey(String key) {
        return generations.stream().filter(e -> e.key().equals(key)).findFirst();
    }
}
