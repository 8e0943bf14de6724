package io.agentchat.server.core;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps one connection's answers in the order of its frames. The protocol has no request ids: a
 * client takes a reply, or an ERROR, for its oldest request still waiting, which is right because
 * a relay answers each frame before it reads the next (docs/protocol.md, §2, "Order of answers"). In a cluster some
 * answers come later: a channel message's echo once Redis has numbered it and sent it back, a DM's
 * once the other relay's mailbox has answered, a marketplace frame's once the relay that keeps its
 * proposal has. A handler whose answer comes later takes a {@link Pending} here, and the transport
 * reads the connection's next frame only once it is given, so the next answer cannot overtake it.
 * Thread-safe.
 */
public final class AnswerOrder {
    private static final Logger LOG = LoggerFactory.getLogger("agentchat.server");
    /** Past this, a frame's answer no longer holds up the next frame: a fault somewhere lost it (logged). */
    static final Duration LONGEST_WAIT = Duration.ofSeconds(10);

    private CompletableFuture<Void> owed;

    /** One answer still to be given. {@link #given} is idempotent and may be called on any thread. */
    public static final class Pending {
        private final CompletableFuture<Void> answered;
        private final AtomicBoolean given = new AtomicBoolean();

        private Pending(CompletableFuture<Void> answered) {
            this.answered = answered;
        }

        /** The answer (or its ERROR) is queued to the connection: its next frame may be read. */
        public void given() {
            if (given.compareAndSet(false, true)) {
                answered.complete(null);
            }
        }
    }

    /** An answer the frame being handled will give later. */
    synchronized Pending later() {
        CompletableFuture<Void> answered = new CompletableFuture<>();
        owed = owed == null ? answered : CompletableFuture.allOf(owed, answered);
        return new Pending(answered);
    }

    /**
     * Runs {@code next} once every answer owed for the frames handled so far is given: at once on
     * this thread if none is owed, else on {@code executor} (never on the thread that gave the
     * answer, which may be the cluster client's own).
     */
    public void afterAnswers(Runnable next, Executor executor) {
        CompletableFuture<Void> waitFor;
        synchronized (this) {
            waitFor = owed;
            owed = null;
        }
        if (waitFor == null) {
            next.run();
            return;
        }
        waitFor.orTimeout(LONGEST_WAIT.toMillis(), TimeUnit.MILLISECONDS).whenCompleteAsync((ok, failure) -> {
            if (failure instanceof TimeoutException) {
                LOG.warn("an answer was not given within {} s; reading the connection's next frame anyway",
                        LONGEST_WAIT.toSeconds());
            }
            next.run();
        }, executor);
    }
}
