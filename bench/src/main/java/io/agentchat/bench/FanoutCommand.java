package io.agentchat.bench;

import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/**
 * Channel fan-out (docs/benchmarks.md, "Load generator" and section 1): N subscribers and M
 * publishers in one fresh channel, each publisher sending R msg/s. With several targets
 * ({@code --target ours,stub}) they run one after another in this process, each with its own
 * warm-up, and the ratios between them come from the same session.
 */
@Command(name = "fanout", mixinStandardHelpOptions = true,
        description = "N subscribers, M publishers at R msg/s each in one channel: throughput, latency, loss, CPU.")
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

    @Option(names = "--warmup", defaultValue = "5", description = "Seconds sent before measuring, per target (default ${DEFAULT-VALUE}).")
    int warmup;

    @Option(names = "--drain", defaultValue = "60",
            description = "Most seconds to wait for stragglers after the last send (default ${DEFAULT-VALUE}).")
    int drain;

    @Option(names = "--readers", defaultValue = "2",
            description = "Selector threads reading the subscribers' sockets (default ${DEFAULT-VALUE}).")
    int readers;

    @Option(names = "--channel",
            description = "Join this existing channel instead of creating a fresh one; a cluster shares only its"
                    + " default channels (docs/cluster.md), so a spread target needs one of them (start the"
                    + " relays with --buffer-size 0 so that no earlier run's messages are replayed).")
    String channel;

    @Override
    public Integer call() throws Exception {
        if (subs < 1 || pubs < 1 || rate < 1 || seconds < 1 || warmup < 0 || readers < 1 || rate > 1_000_000) {
            throw new IllegalArgumentException("--subs, --pubs, --rate (<= 1,000,000), --seconds, --readers must be >= 1, --warmup >= 0");
        }
        if (channel != null && !channel.matches("#[A-Za-z0-9_-]{1,31}")) {
            throw new IllegalArgumentException("--channel must be a channel name such as #bench, got '" + channel + "'");
        }
        PrintWriter out = spec.commandLine().getOut();
        FanoutRun.Settings settings = new FanoutRun.Settings(subs, pubs, rate, seconds, warmup, drain, readers, channel);
        List<FanoutResult> results = new ArrayList<>();
        out.println(Machine.describe());
        out.printf("this machine: one read(2) of a 150-byte frame on loopback TCP costs %.2f us (median)"
                + " (the floor of a delivery that needs a read of its own)%n", ReadCost.microsPerRead());
        for (TargetOptions.Spec each : target.specs()) {
            try (Target relay = each.open(target.maxOutgoingBytes)) {
                out.printf("%nfanout: %d subs x %d pubs x %d msg/s, %d s measured after %d s warm-up; target %s: %s%n",
                        subs, pubs, rate, seconds, warmup, each.label(), relay.description());
                out.flush();
                results.add(FanoutRun.run(each.label(), relay, settings, out));
            }
        }
        out.println();
        out.println(FanoutResult.tableHeader());
        results.forEach(r -> out.println(r.tableRow()));
        for (int i = 0; i < results.size(); i++) {
            for (int j = i + 1; j < results.size(); j++) {
                out.println(results.get(i).ratioTo(results.get(j)));
            }
        }
        out.flush();
        return results.stream().allMatch(FanoutResult::complete) ? 0 : 3;
    }
}
