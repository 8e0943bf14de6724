package io.agentchat.server.transport;

import java.util.ArrayList;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The socket writes a client frame causes, done by the thread that handled the frame once it is
 * handled, outside every lock. A channel message queues one frame for each reader; handing each
 * reader's write to the pool cost a thread hand-off per reader per message, which was most of the
 * relay's CPU per delivery. The handling thread writes them one after the other instead, and reads
 * its connection's next frame only then, which also slows a sender to the pace its fan-out is
 * written. Writes caused outside a frame (timers, closes) still go to the pool.
 */
final class WritesAfterFrame {
    private static final Logger LOG = LoggerFactory.getLogger("agentchat.server");

    private static final class Scope {
        final ArrayList<Runnable> pending = new ArrayList<>();
        boolean active;
    }

    private static final ThreadLocal<Scope> SCOPE = ThreadLocal.withInitial(Scope::new);

    private WritesAfterFrame() {
    }

    /** Starts collecting this thread's writes; {@link #end()} must follow in a finally block. */
    static void begin() {
        SCOPE.get().active = true;
    }

    /** Runs the writes collected since {@link #begin()}, in the order they were asked for. */
    static void end() {
        Scope scope = SCOPE.get();
        scope.active = false;
        ArrayList<Runnable> pending = scope.pending;
        for (int i = 0; i < pending.size(); i++) {
            try {
                pending.get(i).run();
            } catch (RuntimeException e) {
                LOG.error("socket write failed", e);
            }
        }
        pending.clear();
    }

    /** Takes {@code write} for the end of the frame being handled; false when no frame is (use the pool). */
    static boolean defer(Runnable write) {
        Scope scope = SCOPE.get();
        if (!scope.active) {
            return false;
        }
        scope.pending.add(write);
        return true;
    }
}
