package io.agentchat.cli;

import io.agentchat.server.AgentChatServer;
import io.agentchat.server.ServerConfig;
import java.io.PrintWriter;
import io.agentchat.server.cluster.ClusterUnavailableException;
import java.net.BindException;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

/**
 * {@code serve}: runs the relay until SIGINT or SIGTERM, then closes every client (1001) and exits 0.
 * Each setting comes from its flag, else its environment variable, else the default; an explicit 0
 * is honoured and a bad number is rc 2. The banner is printed only once the port is bound,
 * and a bind failure is one line on stderr with rc 1.
 */
@Command(name = "serve", mixinStandardHelpOptions = true,
        description = "Run an AgentChat relay server.",
        footer = {"", "Environment (used when the flag is absent): PORT, HOST, SERVER_NAME, MESSAGE_BUFFER_SIZE,",
            "RATE_LIMIT_MS, LOG_MESSAGES=true, TLS_CERT, TLS_KEY, AGENTCHAT_CLUSTER, and the one named by each limit above.",
            "Every limit, its default and why: docs/limits.md.",
            "", "Example:", "  agentchat serve --port 6667 --host 127.0.0.1"})
final class RelayServerCommand implements Callable<Integer> {
    @Spec
    CommandLine.Model.CommandSpec spec;

    @ParentCommand
    AgentchatCommand root;

    @Option(names = {"-p", "--port"}, paramLabel = "<port>", description = "Port to listen on (default: 6667; 0 picks a free one).")
    Integer port;

    @Option(names = {"-H", "--host"}, paramLabel = "<host>", description = "Interface to bind (default: 0.0.0.0).")
    String host;

    @Option(names = {"-n", "--name"}, paramLabel = "<name>", description = "Server name in WELCOME and /health (default: agentchat).")
    String name;

    @Option(names = "--log-messages", description = "Log one event per message (type and sender, never content).")
    boolean logMessages;

    @Option(names = "--cert", paramLabel = "<file>", description = "TLS certificate chain (PEM); needs --key.")
    Path cert;

    @Option(names = "--key", paramLabel = "<file>", description = "TLS private key (PEM); needs --cert.")
    Path key;

    @Option(names = "--buffer-size", paramLabel = "<n>", description = "Messages replayed on JOIN per channel; 0 disables (default: 20).")
    Integer bufferSize;

    @Option(names = "--rate-limit-ms", paramLabel = "<ms>", description = "Minimum gap between one agent's frames; 0 disables (default: 1000).")
    Long rateLimitMs;

    @Option(names = "--data-dir", paramLabel = "<dir>", description = "Directory for the server's persistent state (default: ./.agentchat).")
    Path dataDir;

    @Option(names = "--max-invalid-frames-per-minute", paramLabel = "<n>", description = "Malformed frames (each "
            + "answered with ERROR) one connection may send per minute before it is closed with 1008; 0 disables "
            + "(env MAX_INVALID_FRAMES_PER_MINUTE; default: " + ServerConfig.DEFAULT_MAX_INVALID_FRAMES_PER_MINUTE + ").")
    Integer maxInvalidFramesPerMinute;

    @Option(names = "--max-outgoing-bytes", paramLabel = "<bytes>", description = "Bytes queued to one socket and not "
            + "yet written before it is dropped as a slow consumer (env MAX_OUTGOING_BYTES; default: " + ServerConfig.DEFAULT_MAX_OUTGOING_BYTES + ").")
    Integer maxOutgoingBytes;

    @Option(names = "--max-listed-channels", paramLabel = "<n>", description = "Public channels named in one channel "
            + "listing, the ones with the most members first (env MAX_LISTED_CHANNELS; default: " + ServerConfig.DEFAULT_MAX_LISTED_CHANNELS + ").")
    Integer maxListedChannels;

    @Option(names = "--public-host", paramLabel = "<host[:port]>[,...]",
            description = "Names clients dial this server by (e.g. relay.example.com): answers to the identify"
                    + " challenge may name them (env PUBLIC_HOST; default: only this machine's addresses and localhost).")
    String publicHosts;

    @Option(names = "--cluster", paramLabel = "<redis-uri>",
            description = "Join the cluster whose Redis is at this URI (redis://host:port; rediss:// for TLS,"
                    + " redis://:password@host:port with a password): channel messages, their seq/epoch and resuming"
                    + " are shared by every relay of it; see docs/cluster.md (env AGENTCHAT_CLUSTER; default: run alone, no Redis).")
    String cluster;

    @Option(names = "--proxy-protocol", description = "Accept a front proxy's PROXY protocol header (haproxy"
            + " send-proxy-v2), so per-address limits count each client's own address; only on a relay that"
            + " nothing but the proxy can reach (env PROXY_PROTOCOL=true; see docs/cluster.md).")
    boolean proxyProtocol;

    @Mixin
    LimitOptions limits;

    @Override
    public Integer call() throws InterruptedException {
        ServerConfig config = config();
        PrintWriter out = spec.commandLine().getOut();
        CountDownLatch stop = new CountDownLatch(1);
        try (TerminationSignals signals = TerminationSignals.install(stop::countDown);
             AgentChatServer server = joinCluster(config)) {
            if (server == null) {
                return ExitCodes.BAD_VALUE;
            }
            try {
                server.start();
            } catch (Exception e) {
                spec.commandLine().getErr().println("Error: Cannot listen on " + config.host() + ":" + config.port()
                        + ": " + bindProblem(e));
                return ExitCodes.FAILURE;
            }
            out.println("AgentChat server running on " + (config.tls() ? "wss" : "ws") + "://" + config.host()
                    + ":" + server.port());
            out.println("Default channels: " + String.join(", ", config.defaultChannels()));
            if (config.tls()) {
                out.println("TLS enabled");
            }
            out.println("Press Ctrl+C to stop");
            out.flush();
            stop.await();
        }
        return ExitCodes.OK;
    }

    /** The server, or null (said on stderr in one line) when the cluster's Redis cannot be reached. */
    private AgentChatServer joinCluster(ServerConfig config) {
        try {
            return new AgentChatServer(config);
        } catch (ClusterUnavailableException e) {
            spec.commandLine().getErr().println("Error: " + e.getMessage());
            return null;
        }
    }

    /** Flag, else environment, else default, each validated. */
    ServerConfig config() {
        ServerConfig.Builder builder = ServerConfig.builder();
        int portValue = port != null ? port : envInt("PORT", ServerConfig.DEFAULT_PORT);
        check(portValue >= 0 && portValue <= 65535, "port", portValue, "0-65535");
        builder.port(portValue);
        builder.host(host != null ? host : envString("HOST", "0.0.0.0"));
        builder.name(name != null ? name : envString("SERVER_NAME", "agentchat"));
        int buffer = bufferSize != null ? bufferSize : envInt("MESSAGE_BUFFER_SIZE", ServerConfig.DEFAULT_BUFFER_SIZE);
        check(buffer >= 0 && buffer <= 10_000, "buffer-size", buffer, "0-10000");
        builder.bufferSize(buffer);
        long rate = rateLimitMs != null ? rateLimitMs
                : envInt("RATE_LIMIT_MS", (int) ServerConfig.DEFAULT_RATE_LIMIT.toMillis());
        check(rate >= 0 && rate <= 3_600_000, "rate-limit-ms", rate, "0-3600000");
        builder.rateLimit(Duration.ofMillis(rate));
        builder.logMessages(logMessages || "true".equalsIgnoreCase(root.env("LOG_MESSAGES")));
        Path certPath = cert != null ? cert : envPath("TLS_CERT");
        Path keyPath = key != null ? key : envPath("TLS_KEY");
        if ((certPath == null) != (keyPath == null)) {
            throw new IllegalArgumentException("Both --cert and --key must be provided for TLS");
        }
        builder.tls(certPath, keyPath);
        if (dataDir != null) {
            builder.dataDir(dataDir);
        }
        int invalidFrames = maxInvalidFramesPerMinute != null ? maxInvalidFramesPerMinute
                : envInt("MAX_INVALID_FRAMES_PER_MINUTE", ServerConfig.DEFAULT_MAX_INVALID_FRAMES_PER_MINUTE);
        check(invalidFrames >= 0 && invalidFrames <= 1_000_000, "max-invalid-frames-per-minute", invalidFrames, "0-1000000");
        builder.maxInvalidFramesPerMinute(invalidFrames);
        int outgoing = maxOutgoingBytes != null ? maxOutgoingBytes
                : envInt("MAX_OUTGOING_BYTES", ServerConfig.DEFAULT_MAX_OUTGOING_BYTES);
        check(outgoing >= 1024, "max-outgoing-bytes", outgoing, ">= 1024");
        builder.maxOutgoingBytes(outgoing);
        int listed = maxListedChannels != null ? maxListedChannels
                : envInt("MAX_LISTED_CHANNELS", ServerConfig.DEFAULT_MAX_LISTED_CHANNELS);
        check(listed >= 1 && listed <= 1_000_000, "max-listed-channels", listed, "1-1000000");
        builder.maxListedChannels(listed);
        ConfigSource source = new ConfigSource(spec.commandLine(), root::env);
        builder.publicHosts(source.list(publicHosts, "PUBLIC_HOST", java.util.List.of()));
        limits.applyTo(builder, source);
        builder.cluster(clusterUri(cluster != null ? cluster : envString("AGENTCHAT_CLUSTER", null)));
        builder.proxyProtocol(proxyProtocol || "true".equalsIgnoreCase(root.env("PROXY_PROTOCOL")));
        return builder.build();
    }

    private URI clusterUri(String text) {
        if (text == null) {
            return null;
        }
        try {
            URI uri = new URI(text.trim());
            if (("redis".equals(uri.getScheme()) || "rediss".equals(uri.getScheme())) && uri.getHost() != null) {
                return uri;
            }
        } catch (URISyntaxException e) {
            // said below
        }
        throw new BadValueException(spec.commandLine(), "Invalid value for option '--cluster': '" + text
                + "' (must be redis://host:port or rediss://host:port)");
    }

    private void check(boolean ok, String option, long value, String range) {
        if (!ok) {
            throw new BadValueException(spec.commandLine(),
                    "Invalid value for option '--" + option + "': " + value + " (must be " + range + ")");
        }
    }

    private int envInt(String variable, int fallback) {
        String text = root.env(variable);
        if (text == null || text.isBlank()) {
            return fallback;
        }
        try {
            return Integer.parseInt(text.trim());
        } catch (NumberFormatException e) {
            throw new BadValueException(spec.commandLine(),
                    "Invalid value for environment variable " + variable + ": '" + text + "' is not an integer");
        }
    }

    private String envString(String variable, String fallback) {
        String text = root.env(variable);
        return text == null || text.isBlank() ? fallback : text;
    }

    private Path envPath(String variable) {
        String text = root.env(variable);
        return text == null || text.isBlank() ? null : Path.of(text);
    }

    private static String bindProblem(Exception e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof BindException) {
                return t.getMessage();
            }
        }
        return CliExceptionHandler.message(e);
    }
}
