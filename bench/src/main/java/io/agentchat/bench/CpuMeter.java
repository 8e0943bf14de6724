package io.agentchat.bench;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadInfo;
import java.lang.management.ThreadMXBean;

/**
 * CPU used by this JVM's threads, grouped by name prefix ({@code bench-} for the load generator,
 * {@code agentchat-} for the embedded relay), and by the whole process. Pools in this tool keep
 * their threads for the whole run, so little CPU is lost with threads that exit.
 */
final class CpuMeter {
    private static final ThreadMXBean THREADS = ManagementFactory.getThreadMXBean();

    private final long startProcess;
    private final long startClient;
    private final long startWall;

    private CpuMeter() {
        this.startProcess = processCpuNanos();
        this.startClient = threadCpuNanos("bench-");
        this.startWall = System.nanoTime();
    }

    static CpuMeter start() {
        return new CpuMeter();
    }

    /** CPU of the load generator's own threads since start, in ns. */
    long clientNanos() {
        return threadCpuNanos("bench-") - startClient;
    }

    /** CPU of the whole JVM since start (includes GC, JIT and, when embedded, the relay), in ns. */
    long processNanos() {
        return processCpuNanos() - startProcess;
    }

    long wallNanos() {
        return System.nanoTime() - startWall;
    }

    static long threadCpuNanos(String namePrefix) {
        long total = 0;
        for (ThreadInfo info : THREADS.getThreadInfo(THREADS.getAllThreadIds())) {
            if (info != null && info.getThreadName().startsWith(namePrefix)) {
                long cpu = THREADS.getThreadCpuTime(info.getThreadId());
                total += Math.max(0, cpu);
            }
        }
        return total;
    }

    static long processCpuNanos() {
        return ProcessHandle.current().info().totalCpuDuration().map(d -> d.toNanos()).orElse(-1L);
    }

    /** "1.23 s CPU = 41% of one core" over the given wall time. */
    static String describe(long cpuNanos, long wallNanos) {
        if (cpuNanos < 0) {
            return "unknown";
        }
        return String.format("%.2f s CPU = %.0f%% of one core", cpuNanos / 1e9, 100.0 * cpuNanos / wallNanos);
    }
}
