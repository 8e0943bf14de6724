package io.agentchat.bench;

import java.io.PrintWriter;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * One fan-out run against one relay: N subscribers and M publishers join a fresh channel, the
 * publishers send R msg/s each for warm-up + measured seconds, and the run drains. Subscribers and
 * publishers are {@link NioSocket}s; subscribers are read by {@code bench-sub-*} threads, the
 * publishers' own copies by {@code bench-pubread-0}, and the pacing runs on {@code bench-pub}.
 */
final class FanoutRun {
    /**
     * The shape of a run. {@code channel} is null for a fresh channel the first subscriber creates,
     * or an existing channel every agent joins (a cluster shares only its default channels).
     */
    record Settings(int subs, int pubs, int rate, int seconds, int warmup, int drainSeconds, int readers,
                    String channel) {
        long offeredPerSecond() {
            return (long) subs * pubs * rate;
        }
    }

    private static final Duration SETUP_TIMEOUT = Duration.ofSeconds(120);

    private FanoutRun() {
    }

    static FanoutResult run(String label, Target relay, Settings s, PrintWriter out) throws Exception {
        long perPublisher = (long) s.rate() * (s.warmup() + s.seconds());
        long measuredFrom = (long) s.rate() * s.warmup();
        List<DeliveryLog> logs = new ArrayList<>();
        for (int i = 0; i < s.subs(); i++) {
            logs.add(new DeliveryLog(s.pubs(), measuredFrom));
        }
        try (NioClient subscribers = new NioClient("sub", s.readers());
             NioClient publishers = new NioClient("pubread", 1)) {
            String channel = s.channel() != null ? s.channel() : Swarm.freshChannel();
            long setupStart = System.nanoTime();
            subscribers.connect(relay.uris(), "sub", s.subs(), logs::get, SETUP_TIMEOUT);
            publishers.connect(relay.uris(), "pub", s.pubs(), i -> null, SETUP_TIMEOUT);
            if (s.channel() != null) {
                NioClient.joinAll(channel, subscribers.sockets(), SETUP_TIMEOUT);
            } else {
                subscribers.createAndJoin(channel, SETUP_TIMEOUT);
            }
            NioClient.joinAll(channel, publishers.sockets(), SETUP_TIMEOUT);
            subscribers.settle(SETUP_TIMEOUT);
            publishers.settle(SETUP_TIMEOUT);
            out.printf("setup: %d agents connected and joined %s in %.2f s%n", s.subs() + s.pubs(), channel,
                    (System.nanoTime() - setupStart) / 1e9);
            out.flush();

            Publishers senders = new Publishers(publishers.sockets(), channel, s.rate(), perPublisher);
            senders.start();
            long measureStart = senders.startNanos() + TimeUnit.SECONDS.toNanos(s.warmup());
            sleepUntil(measureStart); // the warm-up: sent and checked, not counted
            Snapshot before = Snapshot.take(relay, subscribers, publishers, senders, logs);
            long sendDeadline = measureStart + TimeUnit.SECONDS.toNanos(s.seconds() + 30);
            if (!senders.awaitDone(Math.max(1, sendDeadline - System.nanoTime()))) {
                out.println("warning: the publishers did not finish in time; cancelling");
            }
            senders.cancel();
            long sendEnd = System.nanoTime();
            long drainedAt = drain(logs, senders.totalSent() * s.subs(), Duration.ofSeconds(s.drainSeconds()));
            Snapshot after = Snapshot.take(relay, subscribers, publishers, senders, logs);
            subscribers.stopReading();
            publishers.stopReading();

            FanoutResult result = result(label, s, senders, logs, subscribers, before, after, measureStart);
            result.print(out);
            out.printf("drain: waited %.2f s after the last send%n", (drainedAt - sendEnd) / 1e9);
            out.printf("pacer: max send lag %.2f ms; send failures %d%s%n", senders.maxLagNanos() / 1e6, senders.failed(),
                    senders.firstFailure() == null ? "" : " (first: " + senders.firstFailure() + ")");
            String firstError = subscribers.firstError() != null ? subscribers.firstError() : publishers.firstError();
            out.printf("publishers closed by the relay: %s; ERROR frames: %d%s%n",
                    publishers.closes().isEmpty() ? "none" : publishers.closes(),
                    subscribers.errors() + publishers.errors(), firstError == null ? "" : " (first: " + firstError + ")");
            long wakeUps = after.wakeUps - before.wakeUps;
            long reads = after.socketReads - before.socketReads;
            out.printf("subscribers' reads: %,d wake-ups, %.1f sockets per wake-up, %.2f deliveries per socket read%n",
                    wakeUps, reads / (double) Math.max(1, wakeUps), (after.delivered - before.delivered) / (double) Math.max(1, reads));
            long wall = after.wallNanos - before.wallNanos;
            out.printf("cpu over the measured %.1f s: subscribers' reader threads %s; publishers' threads %s;"
                            + " whole bench JVM %s; relay %s%n", wall / 1e9,
                    CpuMeter.describe(after.subscriberCpu - before.subscriberCpu, wall),
                    CpuMeter.describe(after.publisherCpu - before.publisherCpu, wall),
                    CpuMeter.describe(after.processCpu - before.processCpu, wall),
                    before.relayCpu < 0 ? "unknown (give --server-pid)" : CpuMeter.describe(after.relayCpu - before.relayCpu, wall));
            out.println("load average at the end: " + result.loadAverage());
            out.flush();
            return result;
        }
    }

    private static FanoutResult result(String label, Settings s, Publishers senders, List<DeliveryLog> logs,
                                       NioClient subscribers, Snapshot before, Snapshot after, long measureStart) {
        long lost = 0;
        for (DeliveryLog log : logs) {
            for (int p = 0; p < s.pubs(); p++) {
                lost += log.lost(p, senders.sent(p));
            }
        }
        long measured = logs.stream().mapToLong(DeliveryLog::measured).sum();
        long measureEnd = logs.stream().mapToLong(DeliveryLog::lastMeasuredNanos).max().orElse(measureStart);
        double seconds = Math.max(1e-9, (measureEnd - measureStart) / 1e9);
        long deliveries = after.delivered - before.delivered;
        long wall = after.wallNanos - before.wallNanos;
        // The relay also sends each message back to every publisher (docs/protocol.md §6.1).
        double relayFrames = deliveries * (double) (s.subs() + s.pubs()) / s.subs();
        long relayCpu = before.relayCpu < 0 || after.relayCpu < 0 ? -1 : after.relayCpu - before.relayCpu;
        Map<String, Integer> closes = subscribers.closes();
        return new FanoutResult(label, s.offeredPerSecond(), measured / seconds, measured, seconds,
                subscribers.latency(), logs.stream().mapToLong(DeliveryLog::delivered).sum(), lost,
                logs.stream().mapToLong(DeliveryLog::duplicates).sum(),
                logs.stream().mapToLong(DeliveryLog::reordered).sum(),
                logs.stream().mapToLong(DeliveryLog::malformed).sum(),
                closes.values().stream().mapToInt(Integer::intValue).sum(), closes.isEmpty() ? "" : closes.toString(),
                deliveries == 0 ? -1 : (after.subscriberCpu - before.subscriberCpu) / 1e3 / deliveries,
                (after.publisherCpu - before.publisherCpu) / (double) wall,
                relayCpu < 0 || relayFrames == 0 ? -1 : relayCpu / 1e3 / relayFrames,
                relayCpu < 0 ? -1 : relayCpu / (double) wall, Machine.loadAverage());
    }

    /** CPU counters and deliveries at one moment. */
    private record Snapshot(long wallNanos, long subscriberCpu, long publisherCpu, long processCpu, long relayCpu,
                            long delivered, long wakeUps, long socketReads) {
        static Snapshot take(Target relay, NioClient subscribers, NioClient publishers, Publishers senders,
                             List<DeliveryLog> logs) {
            return new Snapshot(System.nanoTime(), CpuMeter.threadCpuNanos(subscribers.threadPrefix()),
                    CpuMeter.threadCpuNanos(publishers.threadPrefix()) + senders.cpuNanos(), CpuMeter.processCpuNanos(),
                    relay.probe().cpuNanos(), logs.stream().mapToLong(DeliveryLog::delivered).sum(),
                    subscribers.wakeUps(), subscribers.socketReads());
        }
    }

    private static void sleepUntil(long nanoTime) throws InterruptedException {
        long left;
        while ((left = nanoTime - System.nanoTime()) > 0) {
            TimeUnit.NANOSECONDS.sleep(left);
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
            Thread.sleep(20); // polling counters the reader threads advance
        }
        return System.nanoTime();
    }
}
