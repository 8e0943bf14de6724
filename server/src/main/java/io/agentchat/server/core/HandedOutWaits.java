package io.agentchat.server.core;

import io.agentchat.protocol.ChannelPosition;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * Senders on this relay waiting for their channel message to come back from the cluster and be
 * handed out here: only then is the sender's echo sent, and only then may its connection's next
 * frame be read ({@link AnswerOrder}). The channel reports each position it has handed out up to;
 * the cluster client's thread registers a wait once Redis has said where the message stands, which
 * may be before or after it arrives. Has its own lock, never the channel's, so that thread never
 * waits for a channel.
 */
final class HandedOutWaits {
    private final List<Wait> waits = new ArrayList<>();
    private String epoch;
    private long seq;

    private record Wait(ChannelPosition position, Runnable then) {
    }

    /** Everything up to {@code position} is handed out here: the waits it reaches run now. */
    void handedOut(ChannelPosition position) {
        List<Runnable> due = null; // every delivery comes here; almost always nobody waits
        synchronized (this) {
            epoch = position.epoch();
            seq = position.seq();
            for (Iterator<Wait> it = waits.iterator(); it.hasNext(); ) {
                Wait wait = it.next();
                if (reached(wait.position())) {
                    if (due == null) {
                        due = new ArrayList<>();
                    }
                    due.add(wait.then());
                    it.remove();
                }
            }
        }
        if (due != null) {
            due.forEach(Runnable::run);
        }
    }

    /**
     * Runs {@code then} once the message at {@code position} is handed out here (now, if it is), or
     * after {@code atMost} if it is not by then: the relay's subscription is down, and the message
     * comes only with the catch-up, or never (a new epoch). A message of another epoch than the one
     * handed out last waits for that epoch to be reached.
     */
    void whenHandedOut(ChannelPosition position, Runnable then, Duration atMost) {
        Wait wait = new Wait(position, then);
        synchronized (this) {
            if (!reached(position)) {
                waits.add(wait);
                CompletableFuture.delayedExecutor(atMost.toMillis(), TimeUnit.MILLISECONDS).execute(() -> giveUp(wait));
                return;
            }
        }
        then.run();
    }

    private void giveUp(Wait wait) {
        boolean waiting;
        synchronized (this) {
            waiting = waits.remove(wait);
        }
        if (waiting) {
            wait.then().run();
        }
    }

    private boolean reached(ChannelPosition position) {
        return position.epoch().equals(epoch) && position.seq() <= seq;
    }
}
