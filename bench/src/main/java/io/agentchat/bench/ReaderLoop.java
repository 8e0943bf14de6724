package io.agentchat.bench;

import java.io.IOException;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import org.HdrHistogram.Histogram;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One selector thread reading many {@link NioSocket}s: one wake-up serves every socket that has
 * data, and each socket is read in as few reads as the kernel allows. The thread owns the latency
 * histogram of its sockets, so recording needs no lock.
 */
final class ReaderLoop implements Runnable, AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(ReaderLoop.class);

    private final Selector selector;
    private final Thread thread;
    private final Queue<NioSocket> joining = new ConcurrentLinkedQueue<>();
    private final Histogram latency = LatencyHistograms.create();
    private volatile boolean running = true;
    private volatile long wakeUps;
    private volatile long socketReads;

    ReaderLoop(String threadName) throws IOException {
        this.selector = Selector.open();
        this.thread = new Thread(this, threadName);
        thread.setDaemon(true);
        thread.start();
    }

    void add(NioSocket socket) {
        joining.add(socket);
        selector.wakeup();
    }

    @Override
    public void run() {
        try {
            while (running) {
                selector.select();
                registerJoining();
                wakeUps++;
                socketReads += selector.selectedKeys().size();
                for (SelectionKey key : selector.selectedKeys()) {
                    NioSocket socket = (NioSocket) key.attachment();
                    try {
                        socket.onReadable(latency);
                    } catch (IOException | RuntimeException e) {
                        socket.onEnd(1006, "read failed: " + e);
                    }
                    if (!socket.channel().isOpen()) {
                        key.cancel();
                    }
                }
                selector.selectedKeys().clear();
            }
        } catch (IOException | RuntimeException e) {
            LOG.error("reader loop {} stopped", thread.getName(), e);
        } finally {
            try {
                selector.close();
            } catch (IOException e) {
                LOG.warn("closing the selector of {}", thread.getName(), e);
            }
        }
    }

    private void registerJoining() {
        NioSocket socket;
        while ((socket = joining.poll()) != null) {
            try {
                socket.channel().register(selector, SelectionKey.OP_READ, socket);
                socket.onReadable(latency); // bytes that came with the 101 are already in its buffer
            } catch (ClosedChannelException e) {
                socket.onEnd(1006, "closed before reading started");
            } catch (IOException | RuntimeException e) {
                socket.onEnd(1006, "read failed: " + e);
            }
        }
    }

    /** Stops the thread and waits for it, so that everything it recorded can be read. */
    @Override
    public void close() throws InterruptedException {
        running = false;
        selector.wakeup();
        thread.join(TimeUnit.SECONDS.toMillis(10));
    }

    long wakeUps() {
        return wakeUps;
    }

    long socketReads() {
        return socketReads;
    }

    /** Only after {@link #close()}. */
    Histogram latency() {
        return latency;
    }
}
