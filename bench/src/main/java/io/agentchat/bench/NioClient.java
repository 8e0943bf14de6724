package io.agentchat.bench;

import java.io.IOException;
import java.net.URI;
import java.nio.channels.Selector;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.IntFunction;
import org.HdrHistogram.Histogram;

/**
 * A group of {@link NioSocket}s read by a few {@link ReaderLoop} threads named
 * {@code bench-<role>-<n>}, so their CPU can be measured apart from everything else; and the
 * collective steps a scenario takes with them (join a channel, settle with a PING round trip).
 */
final class NioClient implements AutoCloseable {
    private final String role;
    private final List<ReaderLoop> loops = new ArrayList<>();
    private final List<NioSocket> sockets = new ArrayList<>();
    private boolean stopped;

    NioClient(String role, int readerThreads) throws IOException {
        this.role = role;
        for (int i = 0; i < readerThreads; i++) {
            loops.add(new ReaderLoop("bench-" + role + "-" + i));
        }
    }

    /** The prefix of this client's reader threads, for {@link CpuMeter#threadCpuNanos}. */
    String threadPrefix() {
        return "bench-" + role + "-";
    }

    /**
     * Opens {@code count} agents named {@code <prefix>-<i>} one after another (each upgrade is
     * a round trip of well under a millisecond here) and waits until every one is welcomed. Agent i
     * connects to {@code uris[i mod n]}: with a cluster's relays, the agents are spread evenly over them.
     */
    void connect(List<URI> uris, String prefix, int count, IntFunction<DeliveryLog> logFor, Duration timeout)
            throws Exception {
        long deadline = System.nanoTime() + timeout.toNanos();
        try (Selector handshakes = Selector.open()) {
            for (int i = 0; i < count; i++) {
                NioSocket socket = NioSocket.open(uris.get(i % uris.size()), prefix + "-" + i, logFor.apply(i),
                        handshakes, timeout);
                sockets.add(socket);
                loops.get(sockets.size() % loops.size()).add(socket);
            }
        }
        for (NioSocket socket : sockets) {
            socket.welcome().get(Math.max(1, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
        }
    }

    List<NioSocket> sockets() {
        return sockets;
    }

    /** The first socket creates {@code channel} and the others join it. */
    void createAndJoin(String channel, Duration timeout) throws Exception {
        NioSocket creator = sockets.get(0);
        creator.sendText(Swarm.CODEC.encode(new io.agentchat.protocol.ClientFrame.CreateChannel(channel, false)));
        creator.joined().get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        joinAll(channel, sockets.subList(1, sockets.size()), timeout);
    }

    /** Sends every JOIN at once and waits for every JOINED. */
    static void joinAll(String channel, List<NioSocket> joiners, Duration timeout) throws Exception {
        String join = Swarm.CODEC.encode(new io.agentchat.protocol.ClientFrame.Join(channel));
        for (NioSocket socket : joiners) {
            socket.sendText(join);
        }
        long deadline = System.nanoTime() + timeout.toNanos();
        for (NioSocket socket : joiners) {
            socket.joined().get(Math.max(1, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
        }
    }

    /** A PING round trip on every socket: afterwards, everything the relay queued before is delivered. */
    void settle(Duration timeout) throws Exception {
        List<CompletableFuture<Void>> pongs = new ArrayList<>(sockets.size());
        for (NioSocket socket : sockets) {
            pongs.add(socket.ping());
        }
        CompletableFuture.allOf(pongs.toArray(CompletableFuture[]::new)).get(timeout.toMillis(), TimeUnit.MILLISECONDS);
    }

    /** Stops the reader threads; afterwards the delivery logs and {@link #latency()} are complete. */
    void stopReading() throws InterruptedException {
        if (!stopped) {
            stopped = true;
            for (ReaderLoop loop : loops) {
                loop.close();
            }
        }
    }

    /** Only after {@link #stopReading()}. */
    Histogram latency() {
        Histogram all = LatencyHistograms.create();
        loops.forEach(loop -> all.add(loop.latency()));
        return all;
    }

    /** Wake-ups of the reader threads so far, and sockets read in them: how well reads are batched. */
    long wakeUps() {
        return loops.stream().mapToLong(ReaderLoop::wakeUps).sum();
    }

    long socketReads() {
        return loops.stream().mapToLong(ReaderLoop::socketReads).sum();
    }

    long errors() {
        return sockets.stream().mapToLong(NioSocket::errors).sum();
    }

    String firstError() {
        return sockets.stream().map(NioSocket::firstError).filter(e -> e != null).findFirst().orElse(null);
    }

    /** How many sockets the relay closed, by close code and reason, e.g. {@code {1006 connection ended...=3}}. */
    Map<String, Integer> closes() {
        Map<String, Integer> counts = new TreeMap<>();
        for (NioSocket socket : sockets) {
            if (socket.closeCode() >= 0) {
                counts.merge(socket.closeCode() + " " + socket.closeReason(), 1, Integer::sum);
            }
        }
        return counts;
    }

    @Override
    public void close() throws InterruptedException {
        stopReading();
        sockets.forEach(NioSocket::close);
    }
}
