package io.agentchat.client;

import io.agentchat.protocol.ServerFrame;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.function.Function;

/**
 * Futures waiting for a frame that is not the reply to a request, e.g. the VERIFY_SUCCESS that
 * follows a verification acknowledgement. Unlike {@link PendingRequests} these are not ordered:
 * every waiter sees every frame until its matcher accepts one. Bounded, thread-safe.
 */
final class FrameWaiters {

    private record Waiter<T>(Function<ServerFrame, T> matcher, CompletableFuture<T> future) {
        boolean offer(ServerFrame frame) {
            T result = matcher.apply(frame);
            return result != null && future.complete(result);
        }
    }

    private final int max;
    private final List<Waiter<?>> waiters = new ArrayList<>();
    private ClientException closeCause;

    FrameWaiters(int max) {
        this.max = max;
    }

    /** A future completed by the first frame {@code matcher} maps to a non-null value. */
    <T> CompletableFuture<T> add(Function<ServerFrame, T> matcher) {
        Waiter<T> waiter = new Waiter<>(matcher, new CompletableFuture<>());
        synchronized (this) {
            if (closeCause != null) {
                waiter.future.completeExceptionally(closeCause);
                return waiter.future;
            }
            if (waiters.size() >= max) {
                throw new ClientException(ClientException.Reason.QUEUE_FULL,
                        "Too many outstanding waits on this connection (" + max + ")");
            }
            waiters.add(waiter);
        }
        waiter.future.whenComplete((result, error) -> remove(waiter));
        return waiter.future;
    }

    void onFrame(ServerFrame frame) {
        List<Waiter<?>> current;
        synchronized (this) {
            if (waiters.isEmpty()) {
                return;
            }
            current = new ArrayList<>(waiters);
        }
        for (Waiter<?> waiter : current) {
            waiter.offer(frame);
        }
    }

    void closeAll(ClientException cause) {
        List<Waiter<?>> failed;
        synchronized (this) {
            if (closeCause != null) {
                return;
            }
            closeCause = cause;
            failed = new ArrayList<>(waiters);
            waiters.clear();
        }
        failed.forEach(w -> w.future.completeExceptionally(cause));
    }

    private synchronized void remove(Waiter<?> waiter) {
        waiters.remove(waiter);
    }
}
