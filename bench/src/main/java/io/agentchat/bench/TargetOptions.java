package io.agentchat.bench;

import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Option;

/**
 * Where the load goes: a running relay ({@code --url}), our relay or the stub started in this
 * process ({@code --embedded}, {@code --stub}), or, for scenarios that compare, several of them one
 * after another ({@code --target ours,stub,ws://127.0.0.1:17600}).
 */
final class TargetOptions {
    @ArgGroup(exclusive = true, multiplicity = "1")
    Choice choice;

    @Option(names = "--server-pid", split = ",",
            description = "PID of each URL target, in the order given, to read its RSS and CPU from /proc.")
    List<Long> serverPids = new ArrayList<>();

    @Option(names = "--max-outgoing-bytes", defaultValue = "4194304",
            description = "Embedded ours only: bytes queued per socket before a slow-consumer disconnect (default ${DEFAULT-VALUE}).")
    int maxOutgoingBytes;

    static final class Choice {
        @Option(names = "--url", description = "ws://127.0.0.1:PORT of a running relay (only 127.0.0.1 targets).")
        URI url;

        @Option(names = "--embedded", description = "Start our relay in this process on an ephemeral port, rate limits off.")
        boolean embedded;

        @Option(names = "--stub", description = "Start the NIO stub relay in this process on an ephemeral port.")
        boolean stub;

        @Option(names = "--target", split = ",",
                description = "Targets run one after another: ours (embedded), stub (embedded) or ws://127.0.0.1:PORT.")
        List<String> targets;
    }

    /**
     * One target to open when its turn comes, so two embedded relays never run at the same time.
     * {@code kind} is ours, stub or url; {@code label} names it in reports.
     */
    record Spec(String label, String kind, URI url, Long pid) {
        Target open(int maxOutgoingBytes) throws Exception {
            return switch (kind) {
                case "ours" -> Target.embedded(maxOutgoingBytes);
                case "stub" -> Target.stub();
                default -> Target.remote(url, pid);
            };
        }
    }

    /** Every target asked for, in order. A URL may carry a label: {@code ours-process=ws://127.0.0.1:17600}. */
    List<Spec> specs() {
        List<String> names = choice.targets != null ? choice.targets
                : List.of(choice.embedded ? "ours" : choice.stub ? "stub" : choice.url.toString());
        List<Spec> specs = new ArrayList<>();
        int pids = 0;
        for (String name : names) {
            if (name.equals("ours") || name.equals("stub")) {
                specs.add(new Spec(name + " (embedded)", name, null, null));
                continue;
            }
            int equals = name.indexOf('=');
            String label = equals > 0 ? name.substring(0, equals) : name;
            URI url = URI.create(name.substring(equals + 1));
            if (!"127.0.0.1".equals(url.getHost()) && !"localhost".equals(url.getHost())) {
                // A load generator aimed at someone else's server is an attack; keep it on this machine.
                throw new IllegalArgumentException("only 127.0.0.1 targets are allowed, got " + url.getHost());
            }
            specs.add(new Spec(label, "url", url, pids < serverPids.size() ? serverPids.get(pids) : null));
            pids++;
        }
        if (pids < serverPids.size()) {
            throw new IllegalArgumentException("--server-pid gives " + serverPids.size() + " pids for " + pids + " URL targets");
        }
        return specs;
    }

    /** The one target of a scenario that does not compare. */
    Target open() throws Exception {
        List<Spec> specs = specs();
        if (specs.size() != 1) {
            throw new IllegalArgumentException("this scenario takes one target, got " + specs.size());
        }
        return specs.get(0).open(maxOutgoingBytes);
    }
}
