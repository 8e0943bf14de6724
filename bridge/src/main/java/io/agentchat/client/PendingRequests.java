package io.agentchat.client;

import io.agentchat.protocol.ServerFrame;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.function.Function;

/**
 * Correlates replies with requests. The protocol has no request ids, but the server handles one
 * connection's frames in order and answers each before the next, so requests wait in a FIFO and
 * only the oldest one can be answered: by a frame its matcher accepts, or by an ERROR, which is
 * that request's failure. Frames no request accepts are left alone (they still go to the listener).
 * Thread-safe.
 */
final class PendingRequests {

    /** One outstanding request. {@code matcher} returns the result, or null if the frame is not the reply. */
    static final class Request<T> {
        final String description;
        final Function<ServerFrame, T> matcher;
        final CompletableFuture<T> future = new CompletableFuture<>();

        Request(String description, Function<ServerFrame, T> matcher) {
            this.description = description;
            this.matcher = matcher;
        }
    }

    private final Deque<Request<?>> queue = new ArrayDeque<>();
    private boolean closed;
    private ClientException closeCause;

    /** Adds a request; if the connection already closed, it fails at once. */
    <T> Request<T> add(String description, Function<ServerFrame, T> matcher) {
        Request<T> request = new Request<>(description, matcher);
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

    /** Offers an incoming frame to the oldest request. */
    void onFrame(ServerFrame frame) {
        Request<?> head;
        Object result = null;
        synchronized (this) {
            head = queue.peekFirst();
            if (head == null) {
                return;
            }
            if (!(frame instanceof ServerFrame.Error)) {
                result = head.matcher.apply(frame);
                if (result == null) {
                    return;
                }
            }
            queue.pollFirst();
        }
        if (frame instanceof ServerFrame.Error error) {
            head.future.completeExceptionally(new ServerErrorException(error.code(), error.message()));
        } else {
            complete(head, result);
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

    @SuppressWarnings("unchecked")
    private static <T> void complete(Request<T> request, Object result) {
        request.future.complete((T) result);
    }
}
