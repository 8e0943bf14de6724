package io.agentchat.bench;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Reads the relay's memory and CPU: from this JVM (embedded), from /proc (another process), or not at all. */
interface ServerProbe {
    MemorySample memory();

    /** CPU time the relay has used so far, in nanoseconds, or -1 if unknown. */
    long cpuNanos();

    static ServerProbe none() {
        return new ServerProbe() {
            @Override
            public MemorySample memory() {
                return MemorySample.UNKNOWN;
            }

            @Override
            public long cpuNanos() {
                return -1;
            }
        };
    }

    /**
     * A relay in this JVM whose threads are named {@code <threadPrefix>*} ({@code agentchat-} for
     * ours, {@code stub-} for the stub); the heap is shared with the load generator.
     */
    static ServerProbe inProcess(String threadPrefix) {
        return new ServerProbe() {
            @Override
            public MemorySample memory() {
                return new MemorySample(LocalJvm.heapAfterGc(), ProcStatus.rssBytes(ProcessHandle.current().pid()));
            }

            @Override
            public long cpuNanos() {
                return CpuMeter.threadCpuNanos(threadPrefix);
            }
        };
    }

    /** Another process: RSS and CPU from /proc; for a JVM also heap after GC through {@code jcmd}. */
    static ServerProbe process(long pid) {
        if (!Files.isDirectory(Path.of("/proc", Long.toString(pid)))) {
            throw new IllegalArgumentException("no process with pid " + pid);
        }
        boolean jvm = ProcStatus.isJvm(pid);
        return new ServerProbe() {
            @Override
            public MemorySample memory() {
                long heap = jvm ? Jcmd.heapAfterGc(pid) : -1;
                return new MemorySample(heap, ProcStatus.rssBytes(pid));
            }

            @Override
            public long cpuNanos() {
                return ProcStatus.cpuNanos(pid);
            }
        };
    }

    /** Several processes as one (a cluster's relays and its Redis): RSS, heap and CPU summed; unknown if any is. */
    static ServerProbe sum(List<ServerProbe> probes) {
        return new ServerProbe() {
            @Override
            public MemorySample memory() {
                long heap = 0;
                long rss = 0;
                for (ServerProbe probe : probes) {
                    MemorySample sample = probe.memory();
                    heap = heap < 0 || sample.heapBytes() < 0 ? -1 : heap + sample.heapBytes();
                    rss = rss < 0 || sample.rssBytes() < 0 ? -1 : rss + sample.rssBytes();
                }
                return new MemorySample(heap, rss);
            }

            @Override
            public long cpuNanos() {
                long cpu = 0;
                for (ServerProbe probe : probes) {
                    long each = probe.cpuNanos();
                    if (each < 0) {
                        return -1;
                    }
                    cpu += each;
                }
                return cpu;
            }
        };
    }

    /** This JVM's heap. */
    final class LocalJvm {
        private LocalJvm() {
        }

        /** Heap in use after full collections; several rounds so finalizable and soft garbage goes too. */
        static long heapAfterGc() {
            for (int i = 0; i < 3; i++) {
                System.gc();
                try {
                    Thread.sleep(100); // lets reference processing finish between rounds
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
            return ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
        }
    }

    /** A JVM server's heap, read with the JDK's jcmd (GC.run, then GC.heap_info). */
    final class Jcmd {
        private static final Pattern USED = Pattern.compile("total \\d+K, used (\\d+)K");

        private Jcmd() {
        }

        static long heapAfterGc(long pid) {
            try {
                run(pid, "GC.run");
                String info = run(pid, "GC.heap_info");
                Matcher m = USED.matcher(info);
                return m.find() ? Long.parseLong(m.group(1)) * 1024 : -1;
            } catch (IOException e) {
                return -1;
            }
        }

        private static String run(long pid, String command) throws IOException {
            Path jcmd = Path.of(System.getProperty("java.home"), "bin", "jcmd");
            Process p = new ProcessBuilder(List.of(jcmd.toString(), Long.toString(pid), command))
                    .redirectErrorStream(true).start();
            try {
                if (!p.waitFor(30, TimeUnit.SECONDS)) {
                    p.destroyForcibly();
                    throw new IOException("jcmd timed out");
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IOException(e);
            }
            return new String(p.getInputStream().readAllBytes());
        }
    }
}
