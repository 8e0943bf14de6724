package io.agentchat.bench;

import io.agentchat.server.AgentChatServer;
import java.io.PrintWriter;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/**
 * Our relay in its own process, configured as {@code --embedded} does (rate limits off), so it can
 * be measured like the Node original: {@code --url} plus {@code --server-pid}. Stops by itself.
 */
@Command(name = "serve", mixinStandardHelpOptions = true,
        description = "Run our relay on 127.0.0.1 with benchmark limits (no rate limits) for a bounded time.")
final class BenchRelayCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Option(names = "--port", defaultValue = "6667", description = "Port (default ${DEFAULT-VALUE}).")
    int port;

    @Option(names = "--seconds", defaultValue = "3600", description = "Stop after this long (default ${DEFAULT-VALUE}).")
    int seconds;

    @Option(names = "--max-outgoing-bytes", defaultValue = "4194304",
            description = "Bytes queued per socket before a slow-consumer disconnect (default ${DEFAULT-VALUE}).")
    int maxOutgoingBytes;

    @Override
    public Integer call() throws Exception {
        PrintWriter out = spec.commandLine().getOut();
        CountDownLatch stop = new CountDownLatch(1);
        try (AgentChatServer server = new AgentChatServer(Target.benchConfig(port, "127.0.0.1", maxOutgoingBytes))) {
            server.start();
            Runtime.getRuntime().addShutdownHook(new Thread(() -> {
                server.close();
                stop.countDown();
            }, "bench-serve-shutdown"));
            out.printf("serving %s pid=%d for at most %d s (rate limits off)%n", server.uri(), ProcessHandle.current().pid(), seconds);
            out.flush();
            stop.await(seconds, TimeUnit.SECONDS);
        }
        return 0;
    }
}
