package io.agentchat.bench;

import io.agentchat.protocol.ClientFrame;
import io.agentchat.protocol.FrameCodec;
import java.net.URI;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.eclipse.jetty.websocket.api.Callback;

/** A group of identified sockets and the collective steps scenarios take with them. */
final class Swarm {
    static final FrameCodec CODEC = new FrameCodec();
    static final String PING = CODEC.encode(new ClientFrame.Ping());

    private final List<BenchSocket> sockets;

    private Swarm(List<BenchSocket> sockets) {
        this.sockets = sockets;
    }

    /** Connects {@code count} ephemeral agents named {@code <prefix>-<i>}. */
    static Swarm connect(LoadClient client, URI uri, String prefix, int count, Duration timeout) throws Exception {
        List<BenchSocket> sockets = client.connectAll(uri, count, i -> new BenchSocket(identify(prefix + "-" + i)), timeout);
        return new Swarm(sockets);
    }

    static String identify(String name) {
        return CODEC.encode(new ClientFrame.Identify(name, null));
    }

    /** A fresh channel name, so runs never share a channel (or its replay buffer) with earlier ones. */
    static String freshChannel() {
        SecureRandom random = new SecureRandom();
        StringBuilder name = new StringBuilder("#bench-");
        for (int i = 0; i < 8; i++) {
            name.append(Character.forDigit(random.nextInt(36), 36));
        }
        return name.toString();
    }

    /** The first socket creates {@code channel}; every socket ends up a member. */
    void createAndJoin(String channel, Duration timeout) throws Exception {
        BenchSocket creator = sockets.get(0);
        creator.send(CODEC.encode(new ClientFrame.CreateChannel(channel, false)), Callback.NOOP);
        creator.joined().get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        joinAll(channel, sockets.subList(1, sockets.size()), timeout);
    }

    /** Sends every JOIN at once and waits for every JOINED. */
    static void joinAll(String channel, List<BenchSocket> joiners, Duration timeout) throws Exception {
        String join = CODEC.encode(new ClientFrame.Join(channel));
        for (BenchSocket socket : joiners) {
            socket.send(join, Callback.NOOP);
        }
        long deadline = System.nanoTime() + timeout.toNanos();
        for (BenchSocket socket : joiners) {
            socket.joined().get(Math.max(1, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
        }
    }

    /** A PING round trip on every socket: afterwards, everything the relay queued before is delivered. */
    void settle(Duration timeout) throws Exception {
        List<CompletableFuture<Void>> pongs = new ArrayList<>(sockets.size());
        for (BenchSocket socket : sockets) {
            pongs.add(socket.ping(PING));
        }
        CompletableFuture.allOf(pongs.toArray(CompletableFuture[]::new)).get(timeout.toMillis(), TimeUnit.MILLISECONDS);
    }

    List<BenchSocket> sockets() {
        return sockets;
    }

    int size() {
        return sockets.size();
    }

    long frames() {
        return sockets.stream().mapToLong(BenchSocket::frames).sum();
    }

    long chars() {
        return sockets.stream().mapToLong(BenchSocket::chars).sum();
    }

    long errors() {
        return sockets.stream().mapToLong(BenchSocket::errors).sum();
    }

    String firstError() {
        return sockets.stream().map(BenchSocket::firstError).filter(e -> e != null).findFirst().orElse(null);
    }

    /** Close codes the relay sent during the run, with counts, e.g. {@code {1013 Slow consumer...=3}}. */
    Map<String, Integer> closes() {
        Map<String, Integer> counts = new TreeMap<>();
        for (BenchSocket socket : sockets) {
            if (socket.closeCode() >= 0) {
                counts.merge(socket.closeCode() + " " + socket.closeReason(), 1, Integer::sum);
            }
        }
        return counts;
    }
}
