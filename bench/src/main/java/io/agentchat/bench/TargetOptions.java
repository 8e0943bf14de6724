package io.agentchat.bench;

import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Option;

/**
 * Where the load goes: a running relay ({@code --url}), our relay or the stub started in this
 * process ({@code --embedded}, {@code --stub}), the relays of one cluster with the agents spread
 * over them ({@code --spread ws://127.0.0.1:17601,ws://127.0.0.1:17602}), or, for scenarios that
 * compare, several of these one after another
 * ({@code --target ours,stub,one=ws://127.0.0.1:17600,three=ws://127.0.0.1:17601+ws://127.0.0.1:17602}).
 */
final class TargetOptions {
    @ArgGroup(exclusive = true, multiplicity = "1")
    Choice choice;

    @Option(names = "--server-pid", split = ",",
            description = "PID of each URL target, in the order given, to read its RSS and CPU from /proc;"
                    + " a spread target's processes joined by '+' (e.g. its relays' and Redis's), summed.")
    List<String> serverPids = new ArrayList<>();

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

        @Option(names = "--spread", split = ",",
                description = "The relays of one cluster: agents connect to them in turn (agent i to URL i mod n).")
        List<URI> spread;

        @Option(names = "--target", split = ",",
                description = "Targets run one after another: ours (embedded), stub (embedded), ws://127.0.0.1:PORT,"
                        + " or the relays of one cluster joined by '+' (ws://127.0.0.1:P1+ws://127.0.0.1:P2).")
        List<String> targets;
    }

    /**
     * One target to open when its turn comes, so two embedded relays never run at the same time.
     * {@code kind} is ours, stub or url; {@code label} names it in reports; a url target has one URL,
     * or several when it is a cluster's relays with the agents spread over them.
     */
    record Spec(String label, String kind, List<URI> urls, List<Long> pids) {
        Target open(int maxOutgoingBytes) throws Exception {
            return switch (kind) {
                case "ours" -> Target.embedded(maxOutgoingBytes);
                case "stub" -> Target.stub();
                default -> Target.remote(urls, pids);
            };
        }
    }

    /** Every target asked for, in order. A URL may carry a label: {@code ours-process=ws://127.0.0.1:17600}. */
    List<Spec> specs() {
        List<String> names = choice.targets != null ? choice.targets
                : choice.spread != null ? List.of("spread=" + String.join("+", choice.spread.stream().map(URI::toString).toList()))
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
            List<URI> urls = new ArrayList<>();
            for (String part : name.substring(equals + 1).split("\\+")) {
                URI url = URI.create(part.trim());
                if (!"127.0.0.1".equals(url.getHost()) && !"localhost".equals(url.getHost())) {
                    // A load generator aimed at someone else's server is an attack; keep it on this machine.
                    throw new IllegalArgumentException("only 127.0.0.1 targets are allowed, got " + url.getHost());
                }
                urls.add(url);
            }
            specs.add(new Spec(label, "url", urls, pids < serverPids.size() ? pids(serverPids.get(pids)) : List.of()));
            pids++;
        }
        if (pids < serverPids.size()) {
            throw new IllegalArgumentException("--server-pid gives " + serverPids.size() + " pids for " + pids + " URL targets");
        }
        return specs;
    }

    /** "101" or "101+102+103" (a cluster's processes). */
    private static List<Long> pids(String text) {
        List<Long> pids = new ArrayList<>();
        for (String part : text.split("\\+")) {
            try {
                pids.add(Long.parseLong(part.trim()));
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("--server-pid: not a pid: '" + part + "'");
            }
        }
        return pids;
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
