package io.agentchat.bench;

import java.io.PrintWriter;
import java.time.Duration;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/**
 * Join storm (docs/benchmarks.md, section 3): N identified agents all JOIN one fresh channel at once. Reports joins
 * per second (first JOIN sent to last JOINED received) and memory per member.
 */
@Command(name = "joinstorm", mixinStandardHelpOptions = true,
        description = "N agents connect, identify and join one channel as fast as possible: joins/s, memory per member.")
final class JoinStormCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Mixin
    TargetOptions target;

    @Option(names = "--agents", defaultValue = "1000", description = "Agents (default ${DEFAULT-VALUE}).")
    int agents;

    @Option(names = "--threads", defaultValue = "4", description = "Client worker threads (default ${DEFAULT-VALUE}).")
    int threads;

    @Option(names = "--timeout", defaultValue = "600", description = "Most seconds the joins may take (default ${DEFAULT-VALUE}).")
    int timeout;

    @Override
    public Integer call() throws Exception {
        if (agents < 2) {
            throw new IllegalArgumentException("--agents must be >= 2");
        }
        PrintWriter out = spec.commandLine().getOut();
        try (Target relay = target.open(); LoadClient client = new LoadClient(threads)) {
            out.println(Machine.describe());
            out.printf("joinstorm: %,d agents; target %s%n", agents, relay.description());
            out.flush();
            MemorySample bare = relay.probe().memory();
            long localBare = ServerProbe.LocalJvm.heapAfterGc();
            long start = System.nanoTime();
            Swarm swarm = Swarm.connect(client, relay.uri(), "joiner", agents, Duration.ofSeconds(300));
            out.printf("connected and identified %,d in %.2f s%n", agents, (System.nanoTime() - start) / 1e9);
            out.flush();
            MemorySample identified = relay.probe().memory();
            long localIdentified = ServerProbe.LocalJvm.heapAfterGc();

            String channel = Swarm.freshChannel();
            Duration limit = Duration.ofSeconds(timeout);
            CpuMeter cpu = CpuMeter.start();
            long serverCpuStart = relay.probe().cpuNanos();
            long joinStart = System.nanoTime();
            swarm.createAndJoin(channel, limit);
            long joinEnd = System.nanoTime();
            swarm.settle(limit);
            long settled = System.nanoTime();
            long serverCpu = relay.probe().cpuNanos();
            double joinSeconds = (joinEnd - joinStart) / 1e9;
            out.printf("joins/s: %,.0f (%,d joins, first JOIN sent to last JOINED received: %.2f s)%n",
                    agents / joinSeconds, agents, joinSeconds);
            out.printf("chatter: clients received %,d frames, %,.1f MiB of text; all delivered %.2f s after the last JOINED%n",
                    swarm.frames(), swarm.chars() / 1048576.0, (settled - joinEnd) / 1e9);
            long wall = cpu.wallNanos();
            out.printf("cpu over %.1f s: load generator threads %s; whole bench JVM %s; relay %s%n", wall / 1e9,
                    CpuMeter.describe(cpu.clientNanos(), wall), CpuMeter.describe(cpu.processNanos(), wall),
                    serverCpuStart < 0 ? "unknown (give --server-pid)" : CpuMeter.describe(serverCpu - serverCpuStart, wall));
            out.flush();
            MemorySample joined = relay.probe().memory();
            long localJoined = ServerProbe.LocalJvm.heapAfterGc();
            out.println("load average at the end: " + Machine.loadAverage());
            out.printf("closed by relay: %s; ERROR frames: %d%n", swarm.closes().isEmpty() ? "none" : swarm.closes(),
                    swarm.errors());
            MemoryReport.print(out, "per member, membership only", relay, identified, joined, localIdentified, localJoined, agents);
            MemoryReport.print(out, "per member, connection + membership", relay, bare, joined, localBare, localJoined, agents);
            out.flush();
            return 0;
        }
    }
}
