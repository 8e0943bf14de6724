package io.agentchat.server.core;

import io.agentchat.protocol.ErrorCode;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The marketplace frames this relay forwarded to the relay that keeps their proposal or
 * verification request, waiting for that relay's answer, each under a ticket. Each caller gets
 * exactly one answer per frame, in the order of its frames ({@link AnswerOrder}): the home relay's,
 * or, if it has not come within {@link #ANSWER_WAIT} (the home relay is stalled, or Redis did not
 * say whether the frame went out), an ERROR that says the frame may or may not have been carried
 * out. An answer that comes after that ERROR is still handed to the connection, late, for {@link #KEPT}:
 * a frame that was carried out is never reported only as failed.
 */
final class ForwardedAnswers {
    /** How long a caller's next frame waits for the home relay's answer; under {@link AnswerOrder#LONGEST_WAIT}. */
    static final Duration ANSWER_WAIT = Duration.ofSeconds(8);
    /** How long a late answer is still handed over. */
    static final Duration KEPT = Duration.ofMinutes(2);

    private final Wire wire;
    private final AtomicLong tickets = new AtomicLong();
    private final Map<Long, Waiting> waiting = new ConcurrentHashMap<>();

    /** One forwarded frame's caller. Its lock orders the answer and the ERROR that stands in for it. */
    private static final class Waiting {
        final AgentSession session;
        final String what;
        final AnswerOrder.Pending answer;
        final long since = System.nanoTime();
        boolean toldUnsure;

        Waiting(AgentSession session, String what) {
            this.session = session;
            this.what = what;
            this.answer = session.answerLater();
        }
    }

    ForwardedAnswers(Wire wire) {
        this.wire = wire;
    }

    /** {@code what} (e.g. "ACCEPT of prop_x"), about to be forwarded for {@code session}: its ticket. */
    long expect(AgentSession session, String what) {
        long ticket = tickets.incrementAndGet();
        waiting.put(ticket, new Waiting(session, what));
        CompletableFuture.delayedExecutor(ANSWER_WAIT.toMillis(), TimeUnit.MILLISECONDS).execute(() -> unsure(ticket));
        return ticket;
    }

    /** It was not forwarded after all (no relay keeps it, or the cluster refused it at once): the local answer applies. */
    void notSent(long ticket) {
        Waiting forwarded = waiting.remove(ticket);
        if (forwarded != null) {
            forwarded.answer.given();
        }
    }

    /**
     * Its caller is told now that the frame may or may not have been carried out; the home relay's
     * answer, if it comes, is still handed over after that.
     */
    void unsure(long ticket) {
        Waiting forwarded = waiting.get(ticket);
        if (forwarded == null) {
            return;
        }
        synchronized (forwarded) {
            if (!forwarded.toldUnsure) {
                forwarded.toldUnsure = true;
                wire.error(forwarded.session, ErrorCode.CLUSTER_UNAVAILABLE, forwarded.what
                        + " went to the relay that keeps it, which has not answered: it may or may not have been"
                        + " carried out, and its answer follows if it comes");
            }
            forwarded.answer.given();
        }
    }

    /** The home relay's frames for the caller of ticket {@code ticket}. */
    void answered(long ticket, List<String> frames) {
        Waiting forwarded = waiting.remove(ticket);
        if (forwarded == null) {
            return; // kept past KEPT
        }
        synchronized (forwarded) {
            forwarded.session.sendAll(frames);
            forwarded.answer.given();
        }
    }

    /** Forgets the frames whose answer has not come within {@link #KEPT}; their callers were told. */
    void sweep() {
        long now = System.nanoTime();
        waiting.values().removeIf(forwarded -> now - forwarded.since > KEPT.toNanos());
    }
}
