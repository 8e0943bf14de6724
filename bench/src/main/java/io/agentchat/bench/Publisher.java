package io.agentchat.bench;

import io.agentchat.protocol.ClientFrame;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.eclipse.jetty.websocket.api.Callback;

/**
 * Sends {@code total} messages to a channel at a fixed rate from a shared scheduler. Fixed-rate
 * scheduling catches up after a late tick, so the offered rate holds even if the pacer is delayed;
 * the lag is recorded so a late pacer cannot hide.
 */
final class Publisher {
    private final int index;
    private final BenchSocket socket;
    private final String channel;
    private final long total;
    private final AtomicLong failed = new AtomicLong();
    private final CountDownLatch done = new CountDownLatch(1);
    private final Callback onSent = new Callback() {
        @Override
        public void fail(Throwable cause) {
            failed.incrementAndGet();
        }
    };
    private volatile long sent;
    private volatile long firstSendNanos;
    private volatile long maxLagNanos;
    private long startNanos;
    private long periodNanos;
    private ScheduledFuture<?> ticks;

    Publisher(int index, BenchSocket socket, String channel, long total) {
        this.index = index;
        this.socket = socket;
        this.channel = channel;
        this.total = total;
    }

    /** Starts after {@code offsetNanos} (publishers are staggered across one period), then every period. */
    void start(ScheduledExecutorService pacer, long periodNanos, long offsetNanos) {
        this.periodNanos = periodNanos;
        this.startNanos = System.nanoTime() + offsetNanos;
        this.ticks = pacer.scheduleAtFixedRate(this::tick, offsetNanos, periodNanos, TimeUnit.NANOSECONDS);
    }

    private void tick() {
        long seq = sent;
        if (seq >= total) {
            ticks.cancel(false);
            done.countDown();
            return;
        }
        long now = System.nanoTime();
        if (seq == 0) {
            firstSendNanos = now;
        }
        maxLagNanos = Math.max(maxLagNanos, now - (startNanos + seq * periodNanos));
        String frame = Swarm.CODEC.encode(new ClientFrame.Msg(channel, Payload.content(index, seq, now), null, null));
        socket.send(frame, onSent);
        sent = seq + 1;
    }

    boolean awaitDone(long timeoutNanos) throws InterruptedException {
        return done.await(timeoutNanos, TimeUnit.NANOSECONDS);
    }

    void cancel() {
        if (ticks != null) {
            ticks.cancel(false);
        }
    }

    /** Messages handed to the socket (sequence numbers 0 .. sent-1). */
    long sent() {
        return sent;
    }

    /** Sends the socket reported as failed (a closed or refused connection). */
    long failed() {
        return failed.get();
    }

    long firstSendNanos() {
        return firstSendNanos;
    }

    long maxLagNanos() {
        return maxLagNanos;
    }
}
