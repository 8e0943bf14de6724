package io.agentchat.bench;

import java.net.URI;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Option;

/** Where the load goes: a running relay ({@code --url}) or our relay started in this process. */
final class TargetOptions {
    @ArgGroup(exclusive = true, multiplicity = "1")
    Choice choice;

    @Option(names = "--server-pid", description = "PID of the --url server, to read its RSS and CPU from /proc.")
    Long serverPid;

    @Option(names = "--max-outgoing-bytes", defaultValue = "4194304",
            description = "Embedded only: bytes queued per socket before a slow-consumer disconnect (default ${DEFAULT-VALUE}).")
    int maxOutgoingBytes;

    static final class Choice {
        @Option(names = "--url", description = "ws://127.0.0.1:PORT of a running relay (only 127.0.0.1 targets).")
        URI url;

        @Option(names = "--embedded", description = "Start our relay in this process on an ephemeral port, rate limits off.")
        boolean embedded;
    }

    Target open() throws Exception {
        if (choice.embedded) {
            if (serverPid != null) {
                throw new IllegalArgumentException("--server-pid applies to --url only");
            }
            return Target.embedded(maxOutgoingBytes);
        }
        URI url = choice.url;
        if (!"127.0.0.1".equals(url.getHost()) && !"localhost".equals(url.getHost())) {
            // A load generator aimed at someone else's server is an attack; keep it on this machine.
            throw new IllegalArgumentException("only 127.0.0.1 targets are allowed, got " + url.getHost());
        }
        return Target.remote(url, serverPid);
    }
}
