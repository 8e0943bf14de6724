package io.agentchat.bench;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/**
 * M publishers paced on one thread of their own ({@code bench-pub}), away from the subscribers'
 * reader threads: publisher i sends its k-th message at {@code start + k*period + i*period/M}
 * (staggered across one period), stamped with System.nanoTime() when it is written. A late tick is
 * sent at once, so the offered rate holds, and its lateness is recorded so a late pacer cannot hide.
 */
final class Publishers implements Runnable {
    private static final ThreadMXBean THREADS = ManagementFactory.getThreadMXBean();
    private final List<NioSocket> sockets;
    private final long periodNanos;
    private final long perPublisher;
    private final byte[][] prefixes;
    private final long[] sent;
    private final Thread thread = new Thread(this, "bench-pub");
    private final CountDownLatch done = new CountDownLatch(1);
    private volatile boolean cancelled;
    private volatile long startNanos;
    private volatile long maxLagNanos;
    private volatile long failed;
    private volatile String firstFailure;
    private volatile long finalCpuNanos = -1;

    Publishers(List<NioSocket> sockets, String channel, int ratePerPublisher, long perPublisher) {
        this.sockets = sockets;
        this.periodNanos = 1_000_000_000L / ratePerPublisher;
        this.perPublisher = perPublisher;
        this.sent = new long[sockets.size()];
        this.prefixes = new byte[sockets.size()][];
        for (int i = 0; i < sockets.size(); i++) {
            // MSG as the protocol's §4.3 has it; the channel name needs no escaping (§4.2 allows [A-Za-z0-9_-])
            prefixes[i] = ("{\"type\":\"MSG\",\"to\":\"" + channel + "\",\"content\":\"bench|" + i + "|")
                    .getBytes(StandardCharsets.US_ASCII);
        }
        thread.setDaemon(true);
    }

    void start() {
        startNanos = System.nanoTime() + 1_000_000;
        thread.start();
    }

    @Override
    public void run() {
        int publishers = sockets.size();
        long start = startNanos;
        try {
            for (long seq = 0; seq < perPublisher && !cancelled; seq++) {
                for (int i = 0; i < publishers && !cancelled; i++) {
                    long due = start + seq * periodNanos + periodNanos * i / publishers;
                    long wait;
                    while ((wait = due - System.nanoTime()) > 0) {
                        LockSupport.parkNanos(wait);
                    }
                    send(i, seq, due);
                }
            }
        } finally {
            finalCpuNanos = THREADS.getCurrentThreadCpuTime(); // a finished thread's CPU can no longer be asked for
            done.countDown();
        }
    }

    private void send(int publisher, long seq, long due) {
        long now = System.nanoTime();
        maxLagNanos = Math.max(maxLagNanos, now - due);
        byte[] tail = (seq + "|" + now + "\"}").getBytes(StandardCharsets.US_ASCII);
        byte[] prefix = prefixes[publisher];
        byte[] payload = new byte[prefix.length + tail.length];
        System.arraycopy(prefix, 0, payload, 0, prefix.length);
        System.arraycopy(tail, 0, payload, prefix.length, tail.length);
        try {
            sockets.get(publisher).send(WebSocketFrames.clientFrame(WebSocketFrames.TEXT, payload));
            sent[publisher] = seq + 1;
        } catch (IOException e) {
            failed++;
            if (firstFailure == null) {
                firstFailure = "publisher " + publisher + ": " + e.getMessage();
            }
        }
    }

    /** CPU used so far by the pacing thread, in ns. */
    long cpuNanos() {
        long cpu = thread.isAlive() ? THREADS.getThreadCpuTime(thread.getId()) : -1;
        return cpu >= 0 ? cpu : Math.max(0, finalCpuNanos);
    }

    /** The time the first message is due; warm-up and measurement are counted from here. */
    long startNanos() {
        return startNanos;
    }

    boolean awaitDone(long timeoutNanos) throws InterruptedException {
        return done.await(timeoutNanos, TimeUnit.NANOSECONDS);
    }

    /** Stops sending and waits for the thread, so {@link #sent} is final. */
    void cancel() throws InterruptedException {
        cancelled = true;
        thread.join(TimeUnit.SECONDS.toMillis(40));
    }

    /** Messages publisher i wrote (its sequence numbers 0 .. sent-1); final after {@link #cancel()}. */
    long sent(int publisher) {
        return sent[publisher];
    }

    long totalSent() {
        long total = 0;
        for (long s : sent) {
            total += s;
        }
        return total;
    }

    long maxLagNanos() {
        return maxLagNanos;
    }

    long failed() {
        return failed;
    }

    String firstFailure() {
        return firstFailure;
    }
}
