package io.agentchat.bench;

import io.agentchat.client.AgentChatClient;
import io.agentchat.client.ClientOptions;
import io.agentchat.client.Connection;
import io.agentchat.client.FrameListener;
import io.agentchat.protocol.ServerFrame;
import io.agentchat.server.AgentChatServer;
import io.agentchat.server.ServerConfig;
import java.io.File;
import java.io.PrintWriter;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * Measures the daemon (docs/benchmarks.md, "Daemon"). Runs a relay in this JVM and the daemon as a
 * real child JVM with the launcher's flags ({@code io.agentchat.cli.Main daemon} on this JVM's
 * class path), then:
 * <ol>
 *   <li>outbox line → delivered to a listener: lines appended {@code --spacing-ms} apart, latency
 *       from just before the append to the listener's receipt (same JVM clock), p50/p99/max;</li>
 *   <li>inbox lines/s: {@code --publishers} clients send {@code --per-publisher} messages each into
 *       a channel the daemon is in, as fast as the echo allows; rate = lines / time until the inbox
 *       holds them all;</li>
 *   <li>RSS of the daemon process: VmRSS and VmHWM from /proc/&lt;pid&gt;/status, idle after both runs.</li>
 * </ol>
 */
@Command(name = "daemon", mixinStandardHelpOptions = true,
        description = "Measure our daemon: outbox-to-listener latency, inbox lines/s and the daemon's RSS.")
final class DaemonBenchCommand implements Callable<Integer> {

    static final String DAEMON_JVM = "-XX:TieredStopAtLevel=1 -XX:+UseSerialGC -Xshare:auto";

    @Spec
    CommandSpec spec;

    @Parameters(index = "0", paramLabel = "<workdir>", description = "Directory for the daemon's .agentchat (created if needed).")
    Path workdir;

    @Option(names = "--lines", paramLabel = "<n>", defaultValue = "200", description = "Outbox lines timed for latency (default ${DEFAULT-VALUE}).")
    int lines;

    @Option(names = "--spacing-ms", paramLabel = "<ms>", defaultValue = "300", description = "Gap between those lines in ms (default ${DEFAULT-VALUE}).")
    int spacingMs;

    @Option(names = "--publishers", paramLabel = "<n>", defaultValue = "4", description = "Clients sending the inbox burst (default ${DEFAULT-VALUE}).")
    int publishers;

    @Option(names = "--per-publisher", paramLabel = "<n>", defaultValue = "5000", description = "Messages each publisher sends (default ${DEFAULT-VALUE}).")
    int perPublisher;

    @Override
    public Integer call() throws Exception {
        PrintWriter out = spec.commandLine().getOut();
        Path work = workdir.toAbsolutePath();
        Files.createDirectories(work);
        try (AgentChatServer server = new AgentChatServer(ServerConfig.builder().host("127.0.0.1").port(0)
                .rateLimit(Duration.ZERO).framesPerSecond(0).idlePrompt(Duration.ZERO).bufferSize(0).dataDir(null)
                .build()).start();
             AgentChatClient client = new AgentChatClient(ClientOptions.defaults().withKeepAlive(Duration.ZERO))) {
            Map<String, Long> arrivals = new ConcurrentHashMap<>();
            Connection listener = client.connect(server.uri(), "listener", null, new FrameListener() {
                @Override
                public void onFrame(ServerFrame frame, String rawText) {
                    if (frame instanceof ServerFrame.Msg m && m.content().startsWith("lat-")) {
                        arrivals.putIfAbsent(m.content(), System.nanoTime());
                    }
                }
            });
            listener.join("#general");
            Path dir = work.resolve(".agentchat/daemons/bench");
            Process daemon = startDaemon(out, work, server.uri().toString());
            try {
                Path log = dir.resolve("daemon.log");
                long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
                while (!(Files.exists(log) && Files.readString(log).contains("Daemon started"))) {
                    if (System.nanoTime() > deadline || !daemon.isAlive()) {
                        throw new IllegalStateException("daemon did not start");
                    }
                    LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(50));
                }
                latency(out, dir.resolve("outbox.jsonl"), arrivals, lines, spacingMs);
                inboxRate(out, client, server, dir.resolve("inbox.jsonl"), publishers, perPublisher);
                LockSupport.parkNanos(TimeUnit.SECONDS.toNanos(2));
                for (String line : Files.readAllLines(Path.of("/proc", Long.toString(daemon.pid()), "status"))) {
                    if (line.startsWith("VmRSS") || line.startsWith("VmHWM")) {
                        out.println("daemon " + line.replaceAll("\\s+", " "));
                    }
                }
            } finally {
                daemon.destroy();
                daemon.waitFor(30, TimeUnit.SECONDS);
            }
        }
        return 0;
    }

    private static Process startDaemon(PrintWriter out, Path work, String url) throws Exception {
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        // The daemon's JVM flags, as bin/agentchat passes them (override with -Dbench.daemonJvm="...").
        command.addAll(List.of(System.getProperty("bench.daemonJvm", DAEMON_JVM).trim().split("\\s+")));
        command.addAll(List.of("-cp", System.getProperty("java.class.path"), "io.agentchat.cli.Main", "daemon", url,
                "--name", "bench", "--home", work.toString(), "--channels", "#general", "--rate-limit-ms", "0"));
        out.println("daemon JVM: " + String.join(" ", command.subList(1, command.indexOf("-cp"))));
        return new ProcessBuilder(command).redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
                .redirectOutput(ProcessBuilder.Redirect.DISCARD).redirectErrorStream(true).start();
    }

    private static void latency(PrintWriter out, Path outbox, Map<String, Long> arrivals, int lines, int spacingMs) throws Exception {
        int warmup = Math.min(20, lines / 10);
        long[] micros = new long[lines];
        for (int i = 0; i < warmup + lines; i++) {
            String tag = "lat-" + i;
            long before = System.nanoTime();
            try (FileChannel ch = FileChannel.open(outbox, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                    StandardOpenOption.APPEND)) {
                ch.write(ByteBuffer.wrap(("{\"to\":\"#general\",\"content\":\"" + tag + "\"}\n")
                        .getBytes(StandardCharsets.UTF_8)));
            }
            long deadline = before + TimeUnit.SECONDS.toNanos(10);
            while (!arrivals.containsKey(tag) && System.nanoTime() < deadline) {
                LockSupport.parkNanos(20_000);
            }
            Long arrived = arrivals.get(tag);
            if (arrived == null) {
                throw new IllegalStateException(tag + " not delivered within 10 s");
            }
            if (i >= warmup) {
                micros[i - warmup] = (arrived - before) / 1000;
            }
            LockSupport.parkNanos(before + TimeUnit.MILLISECONDS.toNanos(spacingMs) - System.nanoTime());
        }
        Arrays.sort(micros);
        out.printf("outbox->listener latency, %d lines %d ms apart (after %d warm-up): p50 %.2f ms, "
                        + "p90 %.2f ms, p99 %.2f ms, max %.2f ms%n", lines, spacingMs, warmup,
                micros[lines / 2] / 1000.0, micros[(int) (lines * 0.9)] / 1000.0,
                micros[Math.min(lines - 1, (int) Math.ceil(lines * 0.99) - 1)] / 1000.0, micros[lines - 1] / 1000.0);
    }

    private static void inboxRate(PrintWriter out, AgentChatClient client, AgentChatServer server, Path inbox, int publishers,
                                  int perPublisher) throws Exception {
        long startLines = countLines(inbox);
        List<Connection> connections = new ArrayList<>();
        for (int p = 0; p < publishers; p++) {
            Connection c = client.connect(server.uri(), "pub" + p, null);
            c.join("#general");
            connections.add(c);
        }
        // The daemon also stores AGENT_JOINED for each publisher: wait until those are in.
        long base = startLines + publishers;
        long wait = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (countLines(inbox) < base && System.nanoTime() < wait) {
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(10));
        }
        CountDownLatch go = new CountDownLatch(1);
        List<Thread> threads = new ArrayList<>();
        for (Connection c : connections) {
            Thread t = new Thread(() -> {
                try {
                    go.await();
                    for (int i = 0; i < perPublisher; i++) {
                        c.send("#general", "burst-" + i);
                    }
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }, "bench-publisher");
            t.start();
            threads.add(t);
        }
        long total = (long) publishers * perPublisher;
        long start = System.nanoTime();
        go.countDown();
        for (Thread t : threads) {
            t.join();
        }
        long sent = System.nanoTime();
        long deadline = sent + TimeUnit.SECONDS.toNanos(60);
        long have;
        while ((have = countLines(inbox) - base) < total && System.nanoTime() < deadline) {
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(5));
        }
        long done = System.nanoTime();
        out.printf("inbox: %d of %d burst lines written; publishers sent %.0f msg/s; inbox %.0f lines/s "
                        + "(%d publishers x %d, until the last line was on disk)%n", have, total,
                total / ((sent - start) / 1e9), have / ((done - start) / 1e9), publishers, perPublisher);
        connections.forEach(Connection::close);
    }

    private static long countLines(Path file) throws Exception {
        if (!Files.exists(file)) {
            return 0;
        }
        byte[] bytes = Files.readAllBytes(file);
        long n = 0;
        for (byte b : bytes) {
            if (b == '\n') {
                n++;
            }
        }
        return n;
    }
}
