package io.agentchat.bench;

import java.io.PrintWriter;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/**
 * The {@link StubRelay} in its own process, so it can be measured like any relay: {@code fanout
 * --target ws://127.0.0.1:PORT --server-pid PID}. Stops by itself.
 */
@Command(name = "stub", mixinStandardHelpOptions = true,
        description = "Run the minimal NIO fan-out relay (the machine's limit, not a product) for a bounded time.")
final class StubCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Option(names = "--port", defaultValue = "6668", description = "Port (default ${DEFAULT-VALUE}).")
    int port;

    @Option(names = "--host", defaultValue = "127.0.0.1", description = "Address to listen on (default ${DEFAULT-VALUE}).")
    String host;

    @Option(names = "--seconds", defaultValue = "3600", description = "Stop after this long (default ${DEFAULT-VALUE}).")
    int seconds;

    @Override
    public Integer call() throws Exception {
        PrintWriter out = spec.commandLine().getOut();
        CountDownLatch stop = new CountDownLatch(1);
        try (StubRelay stub = StubRelay.start(host, port)) {
            Runtime.getRuntime().addShutdownHook(new Thread(stop::countDown, "bench-stub-shutdown"));
            out.printf("stub relay %s pid=%d for at most %d s%n", stub.uri(), ProcessHandle.current().pid(), seconds);
            out.flush();
            stop.await(seconds, TimeUnit.SECONDS);
        }
        return 0;
    }
}
