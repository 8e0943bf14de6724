package io.agentchat.cli;

import io.agentchat.client.ServerAddresses;
import io.agentchat.daemon.Daemon;
import io.agentchat.daemon.DaemonAlreadyRunningException;
import io.agentchat.daemon.DaemonConfig;
import io.agentchat.daemon.DaemonProcess;
import io.agentchat.daemon.InvalidPersonaNameException;
import io.agentchat.daemon.PersonaIdentity;
import io.agentchat.daemon.PersonaPaths;
import java.io.PrintWriter;
import java.math.BigDecimal;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

/**
 * {@code agentchat daemon [server]}: runs one persona's file bridge (docs/daemon-files.md), or queries and stops
 * personas. Mode precedence as the original: {@code --list} &gt; {@code --stop-all} &gt;
 * {@code --status} &gt; {@code --stop} &gt; start.
 */
@Command(name = "daemon", mixinStandardHelpOptions = true,
        description = "Keep a persona connected: frames go to inbox.jsonl, lines appended to outbox.jsonl are sent.",
        footer = {"", "Files: <home>/.agentchat/daemons/<name>/ (home: --home, else AGENTCHAT_HOME, else the current directory).",
            "", "Examples:", "  agentchat daemon ws://localhost:6667 --name alice --background",
            "  echo '{\"to\":\"#general\",\"content\":\"hi\"}' >> .agentchat/daemons/alice/outbox.jsonl",
            "  agentchat daemon --list", "  agentchat daemon --stop-all"})
final class DaemonCommand implements Callable<Integer> {

    @Spec
    CommandLine.Model.CommandSpec spec;

    @ParentCommand
    AgentchatCommand root;

    @Parameters(index = "0", arity = "0..1", paramLabel = "<server>", description = "Server URL, or a comma-separated list of a cluster's relays (needed to start).")
    String server;

    @Option(names = {"-n", "--name"}, paramLabel = "<name>", defaultValue = PersonaPaths.DEFAULT_NAME,
            description = "Persona (instance) name, [A-Za-z0-9_-]{1,64} (default: ${DEFAULT-VALUE}).")
    String name;

    @Option(names = {"-i", "--identity"}, paramLabel = "<file>",
            description = "Identity file (default: .agentchat/daemons/<name>/identity.json, created on first start).")
    Path identity;

    @Option(names = {"-c", "--channels"}, paramLabel = "<channels>", arity = "1..*",
            description = "Channels to join, space or comma separated, '#' optional (default: #general #agents).")
    List<String> channels;

    @Option(names = {"-b", "--background"}, description = "Run detached; return once connected (or failed).")
    boolean background;

    @Option(names = {"-s", "--status"}, description = "Show this persona's status.")
    boolean status;

    @Option(names = {"-l", "--list"}, description = "List every persona and whether it runs.")
    boolean list;

    @Option(names = "--stop", description = "Stop this persona (SIGTERM, then wait for a clean exit).")
    boolean stop;

    @Option(names = "--stop-all", description = "Stop every running persona.")
    boolean stopAll;

    @Option(names = "--max-reconnect-time", paramLabel = "<minutes>", defaultValue = "10",
            description = "Give up (exit 1) after this many minutes without a connection (default: ${DEFAULT-VALUE}).")
    String maxReconnectMinutes;

    @Option(names = "--rate-limit-ms", paramLabel = "<ms>",
            description = "The server's message rate limit, to pace outbox lines to instead of the one the server "
                    + "announces (default: the server's; 1000 from a server that does not say; 0: no pacing).")
    Long rateLimitMs;

    @Option(names = "--home", paramLabel = "<dir>", description = "Directory holding .agentchat (default: AGENTCHAT_HOME, else .).")
    String home;

    @Option(names = "--detached", hidden = true, description = "Internal: this is the --background child.")
    boolean detached;

    @Override
    public Integer call() throws Exception {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        Path homeDir = PersonaPaths.resolveHome(home, root.envMap(), Path.of("").toAbsolutePath());
        try {
            PersonaPaths.validateName(name);
        } catch (InvalidPersonaNameException e) {
            throw new BadValueException(spec.commandLine(), e.getMessage());
        }
        DaemonQueries queries = new DaemonQueries(homeDir, out, err);
        try {
            if (list) {
                return queries.list();
            } else if (stopAll) {
                return queries.stopAll();
            } else if (status) {
                return queries.status(name);
            } else if (stop) {
                return queries.stop(name);
            }
            return start(PersonaPaths.of(homeDir, name), out, err);
        } finally {
            out.flush();
            err.flush();
        }
    }

    private int start(PersonaPaths paths, PrintWriter out, PrintWriter err) throws Exception {
        if (server == null) {
            err.println("Error: server URL required to start daemon");
            err.println("Usage: agentchat daemon wss://agentchat-server.fly.dev --name myagent");
            return ExitCodes.FAILURE;
        }
        ServerAddresses servers = ServerArgument.parse(spec.commandLine(), server);
        List<String> joined = parseChannels(channels);
        Duration maxOutage = minutes(maxReconnectMinutes);
        if (rateLimitMs != null && (rateLimitMs < 0 || rateLimitMs > 3_600_000)) {
            throw new BadValueException(spec.commandLine(),
                    "Invalid value for option '--rate-limit-ms': " + rateLimitMs + " (must be 0-3600000)");
        }
        DaemonProcess.Status current = new DaemonProcess(paths).status();
        if (current.state() != DaemonProcess.State.STOPPED) {
            return alreadyRunning(err, new DaemonAlreadyRunningException(paths.name(), current.pid()));
        }
        DaemonConfig.Builder builder = DaemonConfig.builder(paths, servers).channels(joined).maxOutage(maxOutage);
        if (rateLimitMs != null) {
            builder.sendInterval(DaemonConfig.sendIntervalFor(Duration.ofMillis(rateLimitMs)));
        }
        if (identity != null) {
            builder.identityFile(identity);
        }
        DaemonConfig config = builder.build();
        // A bad identity is one line and rc 1 here, before anything is started or printed.
        paths.createDirectories();
        PersonaIdentity.loadOrCreate(config.identityFile(), paths.name(), config.createIdentity(), Clock.systemUTC());
        if (background && !detached) {
            return background(paths, config, out, err);
        }
        if (!detached) {
            out.println("Starting daemon in foreground (Ctrl+C to stop)...");
            out.println("  Instance: " + paths.name());
            out.println("  Server: " + servers);
            out.println("  Identity: " + config.identityFile());
            out.println("  Channels: " + String.join(", ", joined));
            out.println();
            out.flush();
        }
        return run(config, err);
    }

    /**
     * The log first (slf4j must not be initialised before it is configured), then the signal
     * handlers, then the daemon: no network I/O happens before SIGTERM is handled.
     */
    private int run(DaemonConfig config, PrintWriter err) throws Exception {
        CompletableFuture<Daemon.Exit> signalled = new CompletableFuture<>();
        try (DaemonLogging logging = DaemonLogging.install(config.paths().log(), !detached);
             TerminationSignals signals = TerminationSignals.install(() -> signalled.complete(Daemon.Exit.STOPPED))) {
            Daemon daemon;
            try {
                daemon = Daemon.start(config);
            } catch (DaemonAlreadyRunningException e) {
                return alreadyRunning(err, e);
            }
            try (daemon) {
                signalled.thenRun(() -> daemon.requestStop("signal"));
                return daemon.exit().get().code();
            }
        }
    }

    private int background(PersonaPaths paths, DaemonConfig config, PrintWriter out, PrintWriter err)
            throws Exception {
        List<String> args = new ArrayList<>(List.of(server, "--name", paths.name(), "--home", paths.home().toString(),
                "--channels", String.join(",", config.channels()), "--max-reconnect-time", maxReconnectMinutes));
        if (rateLimitMs != null) {
            args.addAll(List.of("--rate-limit-ms", Long.toString(rateLimitMs)));
        }
        if (identity != null) {
            args.addAll(List.of("--identity", config.identityFile().toString()));
        }
        BackgroundLauncher.Outcome outcome = BackgroundLauncher.launch(paths, args);
        if (!outcome.started()) {
            err.println(outcome.exitCode() != null
                    ? "Error: Daemon '" + paths.name() + "' failed to start (exit code " + outcome.exitCode() + ")"
                    : "Error: Daemon '" + paths.name() + "' (PID: " + outcome.pid() + ") is not connected after "
                            + BackgroundLauncher.READY_TIMEOUT.toSeconds() + " s; it keeps retrying in the background");
            err.println("Last lines of " + paths.log() + ":");
            outcome.logTail().forEach(line -> err.println("  " + line));
            return ExitCodes.FAILURE;
        }
        out.println("Daemon '" + paths.name() + "' started in background (PID: " + outcome.pid() + ")");
        out.println("  Inbox: " + paths.inbox());
        out.println("  Outbox: " + paths.outbox());
        out.println("  Log: " + paths.log());
        out.println();
        out.println("To send messages, append to outbox:");
        out.println("  echo '{\"to\":\"#general\",\"content\":\"Hello!\"}' >> " + paths.outbox());
        out.println();
        out.println("To read messages:");
        out.println("  tail -f " + paths.inbox());
        return ExitCodes.OK;
    }

    private static int alreadyRunning(PrintWriter err, DaemonAlreadyRunningException e) {
        err.println(e.getMessage());
        err.println("Use --stop to stop it first, or use a different --name");
        return ExitCodes.FAILURE;
    }

    /** {@code --channels} as the original parses it: spaces or commas, trimmed, blanks dropped, {@code #} added, duplicates removed. */
    static List<String> parseChannels(List<String> given) {
        if (given == null || given.isEmpty()) {
            return DaemonConfig.DEFAULT_CHANNELS;
        }
        List<String> result = new ArrayList<>();
        for (String item : given) {
            for (String part : item.split("[,\\s]+")) {
                String trimmed = part.trim();
                if (trimmed.isEmpty()) {
                    continue;
                }
                String channel = trimmed.startsWith("#") ? trimmed : "#" + trimmed;
                if (channel.length() > 1 && !result.contains(channel)) {
                    result.add(channel);
                }
            }
        }
        return result.isEmpty() ? DaemonConfig.DEFAULT_CHANNELS : result;
    }

    /** A positive number of minutes (fractions allowed); anything else is rc 2 (the original fell back to 10). */
    private Duration minutes(String text) {
        try {
            BigDecimal value = new BigDecimal(text.trim());
            if (value.signum() > 0 && value.compareTo(BigDecimal.valueOf(100_000)) <= 0) {
                return Duration.ofMillis(value.multiply(BigDecimal.valueOf(60_000)).longValue());
            }
        } catch (NumberFormatException e) {
            // reported below
        }
        throw new BadValueException(spec.commandLine(),
                "Invalid value for option '--max-reconnect-time': '" + text + "' (must be a positive number of minutes)");
    }
}
