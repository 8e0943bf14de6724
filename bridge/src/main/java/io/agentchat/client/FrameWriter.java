package io.agentchat.client;

import io.agentchat.protocol.ClientFrame;
import io.agentchat.protocol.FrameCodec;
import java.nio.channels.WritePendingException;
import java.util.concurrent.CompletableFuture;
import java.util.function.Supplier;
import org.eclipse.jetty.websocket.api.Callback;
import org.eclipse.jetty.websocket.api.Session;

/**
 * The write path of one {@link Connection}. Replies are matched to requests by order
 * ({@link PendingRequests}), so a request is queued and its frames handed to the socket under one
 * lock: the order on the wire is the order of the queue. Jetty's sends are asynchronous; a send
 * that fails fails its request, as QUEUE_FULL when the outgoing queue is at its limit (the server
 * is not reading) and as CLOSED otherwise.
 */
final class FrameWriter {
    private final FrameCodec codec;
    private final CompletableFuture<?> closed;
    private final Object sendLock = new Object();
    private volatile Session session;

    /** @param closed the connection's close future: once it is done, nothing more is written */
    FrameWriter(FrameCodec codec, CompletableFuture<?> closed) {
        this.codec = codec;
        this.closed = closed;
    }

    void attach(Session newSession) {
        session = newSession;
    }

    /** The socket, or null before it opened. */
    Session session() {
        return session;
    }

    /** Queues a request with {@code enqueue} and writes its frames, as one step. */
    <T> PendingRequests.Request<T> submit(Supplier<PendingRequests.Request<T>> enqueue, ClientFrame... frames) {
        synchronized (sendLock) {
            PendingRequests.Request<T> request = enqueue.get();
            for (ClientFrame frame : frames) {
                // A server ERROR does not stop the rest: a fast ERROR for an INVITE can arrive
                // before its barrier PING is written, and PendingRequests then drains that PING's
                // PONG. A failed write here does: no reply will come for what is not sent.
                if (request.failedLocally()) {
                    break;
                }
                write(frame, request.future, false);
            }
            return request;
        }
    }

    /** Writes a frame outside any request; the future completes once the socket took it. */
    CompletableFuture<Void> send(ClientFrame frame) {
        CompletableFuture<Void> sent = new CompletableFuture<>();
        synchronized (sendLock) {
            write(frame, sent, true);
        }
        return sent;
    }

    /** Call with {@code sendLock} held, so the wire order is the request order. */
    private void write(ClientFrame frame, CompletableFuture<?> outcome, boolean completeOnSent) {
        Session s = session;
        if (s == null || !s.isOpen() || closed.isDone()) {
            outcome.completeExceptionally(new ClientException(ClientException.Reason.CLOSED, "Connection closed"));
            return;
        }
        s.sendText(codec.encode(frame), Callback.from(() -> {
            if (completeOnSent) {
                outcome.complete(null);
            }
        }, failure -> outcome.completeExceptionally(sendFailure(failure))));
    }

    private static ClientException sendFailure(Throwable failure) {
        if (failure instanceof WritePendingException) {
            return new ClientException(ClientException.Reason.QUEUE_FULL,
                    "Outgoing queue full: the server is not reading", failure);
        }
        return new ClientException(ClientException.Reason.CLOSED, "Send failed: " + failure, failure);
    }
}
