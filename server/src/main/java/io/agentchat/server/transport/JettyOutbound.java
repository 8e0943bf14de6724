package io.agentchat.server.transport;

import io.agentchat.server.core.Outbound;
import io.agentchat.server.metrics.RelayMetrics;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Executor;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.eclipse.jetty.util.Callback;
import org.eclipse.jetty.websocket.core.CoreSession;
import org.eclipse.jetty.websocket.core.Frame;
import org.eclipse.jetty.websocket.core.OpCode;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@link Outbound} on a Jetty websocket-core session, with its own queue. {@link #send} only
 * enqueues: Jetty's {@code sendFrame} writes to the socket on the caller's thread when the connection is
 * idle, and callers hold a channel lock, so the writing happens in a drain, one at a time per socket
 * (order kept), outside every lock: by the thread that handled the frame causing it, once it is
 * done ({@link WritesAfterFrame}), or on the server's pool.
 *
 * <p>Frames queued behind each other leave in one write: the drain hands every frame but the last
 * one of a run to Jetty as batched, so a socket that receives many messages at once costs one
 * write and one flush, not one each.
 *
 * <p>The bound is in bytes: the UTF-8 payload of every frame from {@link #send} until Jetty reports
 * it written (or failed), so it covers both this queue and Jetty's. A frame count would not do:
 * frames run from 30 bytes to hundreds of KB. A peer whose queued bytes pass the bound, or whose
 * send fails, is dropped at once (a peer that does not read cannot read a close frame either) and
 * reported through {@code onDead}, so its channels hear AGENT_LEFT now and nothing stays queued
 * for a dead socket.
 */
final class JettyOutbound implements Outbound {
    private static final Logger LOG = LoggerFactory.getLogger("agentchat.server");

    private final CoreSession session;
    private final String address;
    private final Executor executor;
    private final long maxQueuedBytes;
    private final Runnable onDead;
    private final SharedUtf8 utf8;
    private final RelayMetrics metrics;
    /** A {@link TextFrame} or a {@code TextFrame[]} (frames that go out together). */
    private final ConcurrentLinkedQueue<Object> queue = new ConcurrentLinkedQueue<>();
    /** Payload bytes sent here and not yet written to the socket by Jetty. */
    private final AtomicLong queuedBytes = new AtomicLong();
    private final AtomicBoolean draining = new AtomicBoolean();
    private final Runnable drainTask = this::drain;
    private final AtomicBoolean closing = new AtomicBoolean();
    private final AtomicBoolean closeSent = new AtomicBoolean();
    private volatile boolean aborted;
    private volatile CloseRequest pendingClose;

    JettyOutbound(CoreSession session, Executor executor, long maxQueuedBytes, SharedUtf8 utf8, RelayMetrics metrics,
                  Runnable onDead) {
        this.session = session;
        this.utf8 = utf8;
        this.metrics = metrics;
        this.address = hostOf(session.getRemoteAddress());
        this.executor = executor;
        this.maxQueuedBytes = maxQueuedBytes;
        this.onDead = onDead;
    }

    @Override
    public void send(String text) {
        if (closing.get()) {
            return;
        }
        // Encoded here, on the fan-out's thread, so every member of one fan-out shares the bytes.
        ByteBuffer payload = utf8.encode(text);
        int size = payload.remaining();
        long queued = queuedBytes.addAndGet(size);
        // A frame bigger than the bound still goes to a peer that has caught up (nothing else queued).
        if (queued > maxQueuedBytes && queued > size) {
            slowConsumer(queued);
            return;
        }
        metrics.delivered(text);
        queue.add(new TextFrame(payload, System.nanoTime())); // the frame is the queue entry: one object per delivery
        scheduleDrain();
    }

    /** One queue entry, so the drain hands them to Jetty back to back and Jetty writes them at once. */
    @Override
    public void sendAll(List<String> texts) {
        if (texts.isEmpty() || closing.get()) {
            return;
        }
        TextFrame[] group = new TextFrame[texts.size()];
        long size = 0;
        long now = System.nanoTime();
        for (int i = 0; i < group.length; i++) {
            group[i] = new TextFrame(utf8.encode(texts.get(i)), now);
            size += group[i].size;
        }
        long queued = queuedBytes.addAndGet(size);
        if (queued > maxQueuedBytes && queued > size) {
            slowConsumer(queued);
            return;
        }
        texts.forEach(metrics::delivered);
        queue.add(group);
        scheduleDrain();
    }

    private void slowConsumer(long queued) {
        if (!closing.get()) {
            metrics.slowConsumerDropped();
        }
        drop("slow consumer: " + queued + " bytes queued, more than " + maxQueuedBytes, true);
    }

    @Override
    public long queuedBytes() {
        return queuedBytes.get();
    }


    /** One drain at a time: after the frame being handled ({@link WritesAfterFrame}), else on the pool. */
    private void scheduleDrain() {
        if (draining.compareAndSet(false, true) && !WritesAfterFrame.defer(drainTask)) {
            executor.execute(drainTask);
        }
    }

    /**
     * The one writer of this socket: hands queued frames to Jetty in order, then, once a close was
     * asked for and the queue is empty, sends the close frame. Only one drain runs at a time.
     */
    private void drain() {
        while (true) {
            Object entry;
            while ((entry = queue.poll()) != null) {
                if (aborted) {
                    continue;
                }
                // A frame with more queued behind it is batched: it waits in Jetty's aggregate buffer
                // and goes out in one write with the others when the last one, unbatched, flushes them.
                if (entry instanceof TextFrame frame) {
                    session.sendFrame(frame, frame, !queue.isEmpty());
                    continue;
                }
                TextFrame[] group = (TextFrame[]) entry;
                for (int i = 0; i < group.length && !aborted; i++) {
                    session.sendFrame(group[i], group[i], i < group.length - 1 || !queue.isEmpty());
                }
            }
            CloseRequest close = pendingClose;
            if (close != null && !aborted && closeSent.compareAndSet(false, true)) {
                session.close(close.code(), close.reason(), Callback.NOOP);
            }
            draining.set(false);
            // A frame or close queued after the last poll but before the flag was cleared needs a drain too.
            boolean closeDue = pendingClose != null && !closeSent.get() && !aborted;
            if ((queue.isEmpty() && !closeDue) || !draining.compareAndSet(false, true)) {
                return;
            }
        }
    }

    /**
     * Drops the peer without a closing handshake. Callers may hold a channel lock, so the
     * disconnect and the hub's clean-up (which takes other channels' locks) run on the pool.
     */
    private void drop(String reason, boolean warn) {
        if (closing.compareAndSet(false, true)) {
            aborted = true;
            queue.clear();
            if (warn) {
                LOG.warn("dropping connection ip={}: {}", address, reason);
            } else {
                LOG.debug("dropping connection ip={}: {}", address, reason);
            }
            executor.execute(() -> {
                session.abort();
                onDead.run();
            });
        }
    }

    @Override
    public void ping() {
        if (!closing.get() && session.isOutputOpen()) {
            session.sendFrame(new Frame(OpCode.PING, true, ByteBuffer.allocate(0)), Callback.NOOP, false);
        }
    }

    @Override
    public void abort() {
        closing.set(true);
        aborted = true;
        queue.clear();
        session.abort();
    }

    /** Frames already queued (e.g. the takeover notice, a last echo) go out before the close frame. */
    @Override
    public void close(int code, String reason) {
        if (closing.compareAndSet(false, true)) {
            pendingClose = new CloseRequest(code, reason);
            scheduleDrain();
        }
    }

    private record CloseRequest(int code, String reason) {
    }

    /**
     * A text frame that is its own send callback, so counting its bytes out again when Jetty is
     * done with it costs no allocation beyond the frame itself. The size is kept apart because
     * writing consumes the payload buffer.
     */
    private final class TextFrame extends Frame implements Callback {
        private final int size;
        private final long queuedAt;

        TextFrame(ByteBuffer payload, long queuedAt) {
            super(OpCode.TEXT, true, payload);
            this.size = payload.remaining();
            this.queuedAt = queuedAt;
        }

        @Override
        public void succeeded() {
            queuedBytes.addAndGet(-size);
            metrics.deliveryLatency(System.nanoTime() - queuedAt);
        }

        @Override
        public void failed(Throwable cause) {
            queuedBytes.addAndGet(-size);
            drop("send failed: " + cause.getClass().getSimpleName(), false);
        }
    }

    @Override
    public String remoteAddress() {
        return address;
    }

    private static String hostOf(SocketAddress address) {
        if (address instanceof InetSocketAddress inet) {
            return inet.getAddress() != null ? inet.getAddress().getHostAddress() : inet.getHostString();
        }
        return String.valueOf(address);
    }
}
