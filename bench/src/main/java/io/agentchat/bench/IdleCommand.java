package io.agentchat.bench;

import java.io.PrintWriter;
import java.time.Duration;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/** Idle connections (docs/benchmarks.md, section 2): open and IDENTIFY N sockets, hold them, report memory per connection. */
@Command(name = "idle", mixinStandardHelpOptions = true,
        description = "Open and IDENTIFY N connections, hold them, and report the relay's memory per connection.")
final class IdleCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Mixin
    TargetOptions target;

    @Option(names = "--connections", defaultValue = "1000", description = "Connections (default ${DEFAULT-VALUE}).")
    int connections;

    @Option(names = "--hold", defaultValue = "5", description = "Seconds to hold them before measuring (default ${DEFAULT-VALUE}).")
    int hold;

    @Option(names = "--threads", defaultValue = "4", description = "Client worker threads (default ${DEFAULT-VALUE}).")
    int threads;

    @Override
    public Integer call() throws Exception {
        PrintWriter out = spec.commandLine().getOut();
        long fdLimit = ProcStatus.openFileLimit();
        try (Target relay = target.open(); LoadClient client = new LoadClient(threads)) {
            out.println(Machine.describe());
            out.printf("idle: %,d connections held %d s; target %s%n", connections, hold, relay.description());
            // Each connection is one fd here, and one more in the relay; embedded, both count against our limit.
            long needed = relay.isEmbedded() ? 2L * connections : connections;
            out.printf("open-file limit (ulimit -n) of the load generator: %s; this run needs about %,d%s%n",
                    fdLimit == Long.MAX_VALUE ? "unlimited" : String.format("%,d", fdLimit), needed,
                    needed + 100 > fdLimit ? " -- too close: expect connect failures" : "");
            out.flush();
            MemorySample before = relay.probe().memory();
            long localBefore = ServerProbe.LocalJvm.heapAfterGc();
            long start = System.nanoTime();
            Swarm swarm = Swarm.connect(client, relay.uri(), "idle", connections, Duration.ofSeconds(300));
            double connectSeconds = (System.nanoTime() - start) / 1e9;
            out.printf("connected and identified %,d in %.2f s (%,.0f/s)%n", connections, connectSeconds,
                    connections / connectSeconds);
            out.flush();
            Thread.sleep(Duration.ofSeconds(hold).toMillis()); // holding idle connections is the point here
            swarm.settle(Duration.ofSeconds(120)); // every connection still answers
            MemorySample after = relay.probe().memory();
            long localAfter = ServerProbe.LocalJvm.heapAfterGc();
            out.printf("all %,d still open and answering PING after %d s; closed by relay: %s%n", swarm.size(), hold,
                    swarm.closes().isEmpty() ? "none" : swarm.closes());
            MemoryReport.print(out, "per connection", relay, before, after, localBefore, localAfter, connections);
            out.flush();
            return 0;
        }
    }
}
