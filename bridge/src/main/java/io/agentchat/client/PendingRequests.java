package io.agentchat.client;

import io.agentchat.protocol.ServerFrame;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.Iterator;
import java.util.List;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.function.Function;

/**
 * Correlates replies with requests. The protocol has no request ids, but the server handles one
 * connection's frames in order and answers each before the next, so requests wait in a FIFO and
 * only the oldest one can be answered: by a frame its matcher accepts, or by an ERROR, which is
 * that request's failure. Frames no request accepts are left alone (they still go to the listener).
 * Thread-safe.
 *
 * <p>The FIFO also holds every reply still owed to us that nobody waits for (an <em>unawaited</em>
 * entry), so that reply, or its ERROR, is never taken for a later request's: the reply to a
 * VERIFY_RESPONSE we sent on our own, and the PONG of a PING barrier whose request already failed.
 * A frame that an unawaited entry does not accept may still answer the request behind it; the
 * unawaited entries before that request are then dropped, since in-order replies mean theirs will
 * never come. An ERROR is always the oldest entry's, awaited or not.
 */
final class PendingRequests {

    /** One outstanding request. {@code matcher} returns the result, or null if the frame is not the reply. */
    static final class Request<T> {
        final String description;
        final Function<ServerFrame, T> matcher;
        final CompletableFuture<T> future = new CompletableFuture<>();
        /** False for a reply we only keep track of, so it cannot be taken for another request's. */
        final boolean awaited;
        /** Confirmed by a trailing PING: when an ERROR fails it, the PONG is still to come. */
        final boolean pingBarrier;

        private Request(String description, Function<ServerFrame, T> matcher, boolean awaited, boolean pingBarrier) {
            this.description = description;
            this.matcher = matcher;
            this.awaited = awaited;
            this.pingBarrier = pingBarrier;
        }

        /** Failed here (a write failed, the connection closed), not by a server ERROR. */
        boolean failedLocally() {
            if (!future.isCompletedExceptionally()) {
                return false;
            }
            try {
                future.getNow(null);
                return false;
            } catch (CompletionException e) {
                return !(e.getCause() instanceof ServerErrorException);
            } catch (CancellationException e) {
                return true;
            }
        }
    }

    private final Deque<Request<?>> queue = new ArrayDeque<>();
    private boolean closed;
    private ClientException closeCause;

    /** Adds a request; if the connection already closed, it fails at once. */
    <T> Request<T> add(String description, Function<ServerFrame, T> matcher) {
        return enqueue(new Request<>(description, matcher, true, false));
    }

    /**
     * Adds a request sent together with a trailing PING and confirmed by its PONG (for frames the
     * server may not answer). An ERROR before the PONG is the request's failure; its PONG (or the
     * PING's own ERROR) is then drained, so it cannot confirm the next request.
     */
    Request<Boolean> addPingBarrier(String description) {
        return enqueue(new Request<>(description, PendingRequests::pong, true, true));
    }

    /**
     * Keeps track of a reply nobody waits for. Its future still completes; if it fails other than
     * by the reply (the frame could not be sent), the entry goes, as no reply will come.
     */
    <T> Request<T> addUnawaited(String description, Function<ServerFrame, T> matcher) {
        Request<T> request = enqueue(new Request<>(description, matcher, false, false));
        request.future.whenComplete((result, failure) -> remove(request));
        return request;
    }

    /**
     * Keeps track, without awaiting it, of a frame sent with a trailing PING: whether or not the
     * server answers the frame itself, the PONG ends the entry, and an ERROR before it is the
     * frame's (then the PONG is drained as for {@link #addPingBarrier}).
     */
    Request<Boolean> addUnawaitedPingBarrier(String description) {
        Request<Boolean> request = enqueue(new Request<>(description, PendingRequests::pong, false, true));
        request.future.whenComplete((result, failure) -> remove(request));
        return request;
    }

    /** Offers an incoming frame to the oldest request, and past unawaited entries to the next one. */
    void onFrame(ServerFrame frame) {
        Request<?> answered = null;
        Object result = null;
        synchronized (this) {
            if (frame instanceof ServerFrame.Error) {
                answered = queue.pollFirst();
                if (answered != null && answered.pingBarrier) {
                    queue.addFirst(new Request<>("the PONG after failed " + answered.description,
                            PendingRequests::pong, false, false));
                }
            } else {
                int skipped = 0;
                for (Request<?> request : queue) {
                    result = request.matcher.apply(frame);
                    if (result != null) {
                        answered = request;
                        break;
                    }
                    if (request.awaited) {
                        return;
                    }
                    skipped++;
                }
                if (answered == null) {
                    return;
                }
                Iterator<Request<?>> it = queue.iterator();
                for (int i = 0; i <= skipped; i++) {
                    it.next();
                    it.remove(); // nobody waits on the skipped ones' futures
                }
            }
        }
        if (answered == null) {
            return;
        }
        if (frame instanceof ServerFrame.Error error) {
            answered.future.completeExceptionally(new ServerErrorException(error.code(), error.message()));
        } else {
            complete(answered, result);
        }
    }

    /** Removes a request that will no longer be waited for (timed out or failed to send). */
    synchronized void remove(Request<?> request) {
        queue.remove(request);
    }

    /** Fails every outstanding request and every later one with {@code cause}. */
    void closeAll(ClientException cause) {
        List<Request<?>> failed;
        synchronized (this) {
            if (closed) {
                return;
            }
            closed = true;
            closeCause = cause;
            failed = new ArrayList<>(queue);
            queue.clear();
        }
        failed.forEach(request -> request.future.completeExceptionally(cause));
    }

    private <T> Request<T> enqueue(Request<T> request) {
        ClientException failure;
        synchronized (this) {
            failure = closed ? closeCause : null;
            if (failure == null) {
                queue.addLast(request);
            }
        }
        if (failure != null) {
            request.future.completeExceptionally(failure);
        }
        return request;
    }

    /** Matches a PONG; the one matcher for every PING barrier. */
    static Boolean pong(ServerFrame frame) {
        return frame instanceof ServerFrame.Pong ? Boolean.TRUE : null;
    }

    @SuppressWarnings("unchecked")
    private static <T> void complete(Request<T> request, Object result) {
        request.future.complete((T) result);
    }
}
