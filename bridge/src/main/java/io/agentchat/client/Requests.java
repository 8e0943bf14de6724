package io.agentchat.client;

import io.agentchat.protocol.ClientFrame;
import io.agentchat.protocol.ServerFrame;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;

/**
 * Requests on one {@link Connection}: each is queued in {@link PendingRequests} and written by the
 * {@link FrameWriter} in one step, and its future is bounded by a timer, so it always completes:
 * with the reply, with the server's ERROR ({@link ServerErrorException}), with a local failure, or
 * with TIMEOUT. A request that times out or is cancelled leaves the queue at once; its reply, if it
 * still comes, reaches only the listener. {@link #await} is the one blocking step, used by the
 * blocking request methods.
 */
final class Requests {
    private final PendingRequests pending = new PendingRequests();
    private final FrameWriter writer;
    private final ScheduledExecutorService timer;

    Requests(FrameWriter writer, ScheduledExecutorService timer) {
        this.writer = writer;
        this.timer = timer;
    }

    /** Sends {@code frames}; the request's reply is the first frame {@code matcher} maps to a non-null value. */
    <T> PendingRequests.Request<T> send(String description, Function<ServerFrame, T> matcher, Duration timeout,
                                        ClientFrame... frames) {
        return bounded(writer.submit(() -> pending.add(description, matcher), frames), timeout);
    }

    /**
     * Sends a frame the server may not answer, followed by a PING: the PONG confirms it, and an
     * ERROR before the PONG is its failure.
     */
    PendingRequests.Request<Boolean> sendWithPing(String description, Duration timeout, ClientFrame frame) {
        return bounded(writer.submit(() -> pending.addPingBarrier(description), frame, new ClientFrame.Ping()),
                timeout);
    }

    /** Sends a frame whose reply nobody waits for, but which must not be taken for a request's. */
    <T> void sendUnawaited(String description, Function<ServerFrame, T> matcher, ClientFrame frame) {
        writer.submit(() -> pending.addUnawaited(description, matcher), frame);
    }

    /** As {@link #sendUnawaited}, for a frame the server may or may not answer: a PING bounds whatever comes. */
    void sendUnawaitedWithPing(String description, ClientFrame frame) {
        writer.submit(() -> pending.addUnawaitedPingBarrier(description), frame, new ClientFrame.Ping());
    }

    /** Offers a frame from the server to the oldest requests. */
    void onFrame(ServerFrame frame) {
        pending.onFrame(frame);
    }

    /** Fails every outstanding request, and every later one, with {@code cause}. */
    void closeAll(ClientException cause) {
        pending.closeAll(cause);
    }

    /**
     * Waits for a request's outcome: its result, or its failure thrown as {@link ClientException}.
     * Its own timer bounds the wait. An interrupt gives the request up (it leaves the queue).
     */
    static <T> T await(PendingRequests.Request<T> request) {
        return await(request.future, request.description);
    }

    /** {@link #await(PendingRequests.Request)} for a request's future, as the async forms return it. */
    static <T> T await(CompletableFuture<T> future) {
        return await(future, "the server's reply");
    }

    private static <T> T await(CompletableFuture<T> future, String description) {
        try {
            return future.get();
        } catch (ExecutionException e) {
            Throwable cause = e.getCause();
            if (cause instanceof ClientException clientException) {
                throw clientException;
            }
            throw new ClientException(ClientException.Reason.IO, String.valueOf(cause), cause);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            future.cancel(false);
            throw new ClientException(ClientException.Reason.IO, "Interrupted waiting for " + description, e);
        }
    }

    /**
     * Fails {@code request} with TIMEOUT if no outcome came within {@code timeout}. A request that
     * failed in any way leaves the queue, as no reply will be taken for it.
     */
    private <T> PendingRequests.Request<T> bounded(PendingRequests.Request<T> request, Duration timeout) {
        request.future.whenComplete((result, failure) -> {
            if (failure != null) {
                pending.remove(request);
            }
        });
        if (request.future.isDone()) {
            return request;
        }
        try {
            ScheduledFuture<?> expiry = timer.schedule(() -> {
                // Leave the queue before the caller sees the TIMEOUT and sends anything else.
                pending.remove(request);
                request.future.completeExceptionally(new ClientException(ClientException.Reason.TIMEOUT,
                        "Timed out after " + seconds(timeout) + " waiting for " + request.description));
            }, Math.max(1, timeout.toMillis()), TimeUnit.MILLISECONDS);
            request.future.whenComplete((result, failure) -> expiry.cancel(false));
        } catch (RejectedExecutionException e) {
            // The timer stops only when the client closes, which closes every connection first.
            request.future.completeExceptionally(new ClientException(ClientException.Reason.CLOSED, "Connection closed"));
        }
        return request;
    }

    /** A duration as the timeout messages give it: whole seconds when it is, else milliseconds. */
    static String seconds(Duration d) {
        long ms = d.toMillis();
        return ms % 1000 == 0 ? ms / 1000 + " s" : ms + " ms";
    }
}
