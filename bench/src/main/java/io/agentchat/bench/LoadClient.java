package io.agentchat.bench;

import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.function.IntFunction;
import org.eclipse.jetty.client.HttpClient;
import org.eclipse.jetty.client.transport.HttpClientTransportOverHTTP;
import org.eclipse.jetty.io.ClientConnector;
import org.eclipse.jetty.util.thread.QueuedThreadPool;
import org.eclipse.jetty.util.thread.ScheduledExecutorScheduler;
import org.eclipse.jetty.websocket.client.WebSocketClient;

/**
 * One Jetty WebSocket client for every simulated agent: two selectors and a small named pool
 * ({@code bench-client-*}), so thousands of connections cost a handful of threads and the load
 * generator's own CPU can be measured apart from the relay's.
 */
final class LoadClient implements AutoCloseable {
    /** Handshakes in flight at once; more only makes the relay's accept queue and our timeouts fight. */
    private static final int MAX_CONNECTING = 128;

    private final WebSocketClient client;
    private final Semaphore connecting = new Semaphore(MAX_CONNECTING);

    LoadClient(int threads) throws Exception {
        QueuedThreadPool pool = new QueuedThreadPool(Math.max(threads, 4), 2);
        pool.setName("bench-client");
        pool.setReservedThreads(0); // no idle spinners: every client thread is accounted for
        pool.setIdleTimeout((int) Duration.ofMinutes(10).toMillis()); // keep threads, so their CPU stays counted
        ClientConnector connector = new ClientConnector();
        connector.setSelectors(2);
        connector.setExecutor(pool);
        HttpClient http = new HttpClient(new HttpClientTransportOverHTTP(connector));
        http.setExecutor(pool);
        http.setScheduler(new ScheduledExecutorScheduler("bench-client-scheduler", false));
        http.setMaxConnectionsPerDestination(100_000);
        http.setMaxRequestsQueuedPerDestination(100_000);
        http.setConnectTimeout(30_000);
        client = new WebSocketClient(http);
        client.setIdleTimeout(Duration.ofMinutes(10));
        // JOINED and the reference's "Hey <every member>" chatter grow with the channel.
        client.setMaxTextMessageSize(16 * 1024 * 1024);
        client.start();
    }

    /**
     * Opens {@code count} sockets and waits until each has been welcomed. At most
     * {@value #MAX_CONNECTING} are between connect and WELCOME at any time.
     */
    List<BenchSocket> connectAll(URI uri, int count, IntFunction<BenchSocket> sockets, Duration timeout)
            throws Exception {
        long deadline = System.nanoTime() + timeout.toNanos();
        List<BenchSocket> all = new ArrayList<>(count);
        List<CompletableFuture<String>> welcomes = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            if (!connecting.tryAcquire(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS)) {
                throw new IllegalStateException("connecting timed out after " + all.size() + " of " + count + " sockets");
            }
            BenchSocket socket = sockets.apply(i);
            all.add(socket);
            client.connect(socket, uri).whenComplete((session, error) -> {
                if (error != null) {
                    socket.welcome().completeExceptionally(error);
                }
            });
            CompletableFuture<String> welcome = socket.welcome();
            welcome.whenComplete((id, error) -> connecting.release());
            welcomes.add(welcome);
        }
        for (int i = 0; i < count; i++) {
            welcomes.get(i).get(Math.max(1, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
        }
        return all;
    }

    @Override
    public void close() throws Exception {
        client.stop();
    }
}
