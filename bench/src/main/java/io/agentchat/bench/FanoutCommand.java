package io.agentchat.bench;

import java.io.PrintWriter;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.ScheduledExecutorService;
import org.HdrHistogram.Histogram;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/**
 * Channel fan-out (docs/benchmarks.md, section 1): N subscribers and M publishers in one fresh
 * channel, each publisher sending R msg/s; subscribers measure end-to-end latency and check every sequence number.
 */
@Command(name = "fanout", mixinStandardHelpOptions = true,
        description = "N subscribers, M publishers at R msg/s each in one channel: throughput, latency, loss.")
final class FanoutCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Mixin
    TargetOptions target;

    @Option(names = "--subs", defaultValue = "50", description = "Subscribers (default ${DEFAULT-VALUE}).")
    int subs;

    @Option(names = "--pubs", defaultValue = "5", description = "Publishers (default ${DEFAULT-VALUE}).")
    int pubs;

    @Option(names = "--rate", defaultValue = "100", description = "Messages per second per publisher (default ${DEFAULT-VALUE}).")
    int rate;

    @Option(names = "--seconds", defaultValue = "10", description = "Measured seconds (default ${DEFAULT-VALUE}).")
    int seconds;

    @Option(names = "--warmup", defaultValue = "2", description = "Seconds sent before measuring (default ${DEFAULT-VALUE}).")
    int warmup;

    @Option(names = "--drain", defaultValue = "60",
            description = "Most seconds to wait for stragglers after the last send (default ${DEFAULT-VALUE}).")
    int drain;

    @Option(names = "--threads", defaultValue = "8", description = "Client worker threads (default ${DEFAULT-VALUE}).")
    int threads;

    @Override
    public Integer call() throws Exception {
        if (subs < 1 || pubs < 1 || rate < 1 || seconds < 1 || warmup < 0) {
            throw new IllegalArgumentException("--subs, --pubs, --rate, --seconds must be >= 1, --warmup >= 0");
        }
        PrintWriter out = spec.commandLine().getOut();
        Duration setupTimeout = Duration.ofSeconds(120);
        long perPublisher = (long) rate * (warmup + seconds);
        long measuredFrom = (long) rate * warmup;
        LatencyRecorder latency = new LatencyRecorder();
        List<DeliveryLog> logs = new ArrayList<>();
        for (int i = 0; i < subs; i++) {
            logs.add(new DeliveryLog(pubs, measuredFrom, latency));
        }
        try (Target relay = target.open(); LoadClient client = new LoadClient(threads)) {
            out.println(Machine.describe());
            out.printf("fanout: %d subs x %d pubs x %d msg/s, %d s measured after %d s warm-up; target %s%n",
                    subs, pubs, rate, seconds, warmup, relay.description());
            out.flush();
            String channel = Swarm.freshChannel();
            Swarm subscribers = Swarm.connect(client, relay.uri(), "sub", subs, logs::get, setupTimeout);
            Swarm publishers = Swarm.connect(client, relay.uri(), "pub", pubs, i -> null, setupTimeout);
            long joinStart = System.nanoTime();
            subscribers.createAndJoin(channel, setupTimeout);
            Swarm.joinAll(channel, publishers.sockets(), setupTimeout);
            subscribers.settle(setupTimeout);
            publishers.settle(setupTimeout);
            out.printf("setup: %d agents joined %s in %.2f s%n", subs + pubs, channel, (System.nanoTime() - joinStart) / 1e9);
            out.flush();

            CpuMeter cpu = CpuMeter.start();
            long serverCpuStart = relay.probe().cpuNanos();
            List<Publisher> senders = new ArrayList<>();
            ScheduledExecutorService pacer = NamedThreads.scheduler("pacer");
            long period = 1_000_000_000L / rate;
            for (int i = 0; i < pubs; i++) {
                Publisher publisher = new Publisher(i, publishers.sockets().get(i), channel, perPublisher);
                senders.add(publisher);
                publisher.start(pacer, period, period * i / pubs);
            }
            long sendDeadline = System.nanoTime() + Duration.ofSeconds(warmup + seconds + 30).toNanos();
            for (Publisher publisher : senders) {
                if (!publisher.awaitDone(Math.max(1, sendDeadline - System.nanoTime()))) {
                    out.println("warning: a publisher did not finish in time; cancelling");
                }
                publisher.cancel();
            }
            pacer.shutdownNow();
            long sendEnd = System.nanoTime();
            long expected = senders.stream().mapToLong(Publisher::sent).sum() * subs;
            long drained = drain(logs, expected, Duration.ofSeconds(drain));
            long serverCpu = relay.probe().cpuNanos();

            Result result = Result.of(senders, logs, latency.merged(), measuredFrom, period, subs);
            result.print(out, (long) subs * pubs * rate);
            out.printf("drain: waited %.2f s after the last send%n", (drained - sendEnd) / 1e9);
            out.printf("pacer: max send lag %.2f ms; send failures %d%n",
                    senders.stream().mapToLong(Publisher::maxLagNanos).max().orElse(0) / 1e6,
                    senders.stream().mapToLong(Publisher::failed).sum());
            out.printf("connections closed by the relay: %s; ERROR frames: %d%s%n",
                    merged(subscribers, publishers), subscribers.errors() + publishers.errors(),
                    firstError(subscribers, publishers));
            long wall = cpu.wallNanos();
            out.printf("cpu over %.1f s: load generator threads %s; whole bench JVM %s; relay %s%n",
                    wall / 1e9, CpuMeter.describe(cpu.clientNanos(), wall), CpuMeter.describe(cpu.processNanos(), wall),
                    serverCpuStart < 0 ? "unknown (give --server-pid)"
                            : CpuMeter.describe(serverCpu - serverCpuStart, wall));
            out.println("load average at the end: " + Machine.loadAverage());
            out.println(result.tableRow(subs, pubs, rate));
            out.flush();
            return result.lost() == 0 && result.duplicates() == 0 ? 0 : 3;
        }
    }

    /** Waits until every expected delivery arrived, nothing arrived for 5 s, or {@code max} passed. */
    private static long drain(List<DeliveryLog> logs, long expected, Duration max) throws InterruptedException {
        long deadline = System.nanoTime() + max.toNanos();
        long quietLimit = Duration.ofSeconds(5).toNanos();
        long last = -1;
        long lastChange = System.nanoTime();
        while (System.nanoTime() < deadline) {
            long delivered = logs.stream().mapToLong(DeliveryLog::delivered).sum();
            if (delivered >= expected) {
                break;
            }
            if (delivered != last) {
                last = delivered;
                lastChange = System.nanoTime();
            } else if (System.nanoTime() - lastChange > quietLimit) {
                break;
            }
            Thread.sleep(20); // polling a counter while deliveries arrive on Jetty's threads
        }
        return System.nanoTime();
    }

    private static String merged(Swarm a, Swarm b) {
        var all = new java.util.TreeMap<>(a.closes());
        b.closes().forEach((k, v) -> all.merge(k, v, Integer::sum));
        return all.isEmpty() ? "none" : all.toString();
    }

    private static String firstError(Swarm a, Swarm b) {
        String error = a.firstError() != null ? a.firstError() : b.firstError();
        return error == null ? "" : " (first: " + error + ")";
    }

    /** The figures of one run. */
    record Result(long delivered, long measured, long lost, long duplicates, long reordered,
                  double achievedPerSecond, double measuredSeconds, Histogram latency) {

        static Result of(List<Publisher> senders, List<DeliveryLog> logs, Histogram latency,
                         long measuredFrom, long period, int subs) {
            long lost = 0;
            for (DeliveryLog log : logs) {
                for (int p = 0; p < senders.size(); p++) {
                    lost += log.lost(p, senders.get(p).sent());
                }
            }
            long measureStart = senders.stream().mapToLong(s -> s.firstSendNanos() + measuredFrom * period)
                    .min().orElse(0);
            long measureEnd = logs.stream().mapToLong(DeliveryLog::lastMeasuredNanos).max().orElse(measureStart);
            long measured = logs.stream().mapToLong(DeliveryLog::measured).sum();
            double secondsTaken = Math.max(1e-9, (measureEnd - measureStart) / 1e9);
            return new Result(logs.stream().mapToLong(DeliveryLog::delivered).sum(), measured, lost,
                    logs.stream().mapToLong(DeliveryLog::duplicates).sum(),
                    logs.stream().mapToLong(DeliveryLog::reordered).sum(),
                    measured / secondsTaken, secondsTaken, latency);
        }

        void print(PrintWriter out, long offeredPerSecond) {
            out.printf("offered deliveries/s:  %,d%n", offeredPerSecond);
            out.printf("achieved deliveries/s: %,.0f (%,d measured deliveries in %.2f s, first measured send to last delivery)%n",
                    achievedPerSecond, measured, measuredSeconds);
            out.printf("latency ms: p50 %s  p99 %s  p99.9 %s  max %s  (n=%,d)%n", ms(0.50), ms(0.99), ms(0.999),
                    fmt(latency.getMaxValue()), latency.getTotalCount());
            out.printf("delivered %,d in all (warm-up included); lost %,d  duplicated %,d  reordered %,d%n",
                    delivered, lost, duplicates, reordered);
            if (lost > 0) {
                out.println("  (lost = not delivered by the end of the drain; a relay far behind may still deliver them later)");
            }
        }

        String tableRow(int subs, int pubs, int rate) {
            return String.format("| %d x %d x %d | %,d | %,.0f | %s | %s | %s | %s | %d | %d |", subs, pubs, rate,
                    (long) subs * pubs * rate, achievedPerSecond, ms(0.50), ms(0.99), ms(0.999),
                    fmt(latency.getMaxValue()), lost, duplicates);
        }

        private String ms(double quantile) {
            return fmt(latency.getValueAtPercentile(quantile * 100));
        }

        private static String fmt(long nanos) {
            double ms = nanos / 1e6;
            return ms < 10 ? String.format("%.2f", ms) : ms < 1000 ? String.format("%.0f", ms) : String.format("%,.0f", ms);
        }
    }
}
