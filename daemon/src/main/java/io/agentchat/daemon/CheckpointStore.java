package io.agentchat.daemon;

import java.io.IOException;

/** Durable storage of an {@link OutboxCheckpoint}; the seam tests use to simulate a crash. */
interface CheckpointStore {

    /** The last durably written checkpoint, or {@link OutboxCheckpoint#empty()} if none. */
    OutboxCheckpoint read() throws IOException;

    /** Returns only once the checkpoint would survive a crash or power loss. */
    void write(OutboxCheckpoint checkpoint) throws IOException;
}
