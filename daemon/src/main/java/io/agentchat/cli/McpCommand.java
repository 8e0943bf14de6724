package io.agentchat.cli;

import io.agentchat.client.ServerAddresses;
import io.agentchat.daemon.DaemonConfig;
import io.agentchat.daemon.DaemonProcess;
import io.agentchat.daemon.InvalidPersonaNameException;
import io.agentchat.daemon.PersonaIdentity;
import io.agentchat.daemon.PersonaPaths;
import io.agentchat.mcp.AgentchatMcpServer;
import io.agentchat.mcp.EndOfInput;
import io.agentchat.mcp.McpPersona;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Clock;
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
 * {@code agentchat mcp [server]}: a Model Context Protocol server on stdio for agent hosts such as
 * Claude Code (docs/mcp.md). Stdout carries JSON-RPC and nothing else: the first thing this command
 * does is point {@code System.out} at stderr, and the persona's log goes to {@code daemon.log} when
 * this process holds the persona, else to stderr.
 */
@Command(name = "mcp", mixinStandardHelpOptions = true,
        description = "Serve the chat as MCP tools on stdio for agent hosts (Claude Code).",
        footer = {"", "The server defaults to $AGENTCHAT_URL. With a daemon running for the persona, its "
                + "connection is used (never a second one for the same key).",
            "", "Example:", "  claude mcp add --transport stdio agentchat --env AGENTCHAT_URL=wss://host:6667 -- agentchat mcp --name alice"})
final class McpCommand implements Callable<Integer> {

    /** The environment variable naming the relay when no SERVER argument is given. */
    static final String URL_ENV = "AGENTCHAT_URL";
    private static final List<String> DEFAULT_CHANNELS = List.of("#general");

    @Spec
    CommandLine.Model.CommandSpec spec;

    @ParentCommand
    AgentchatCommand root;

    @Parameters(index = "0", arity = "0..1", paramLabel = "<server>",
            description = "Server URL (default: $" + URL_ENV + ").")
    String server;

    @Option(names = {"-n", "--name"}, paramLabel = "<name>", defaultValue = PersonaPaths.DEFAULT_NAME,
            description = "Persona name, as for the daemon (default: ${DEFAULT-VALUE}).")
    String name;

    @Option(names = {"-i", "--identity"}, paramLabel = "<file>",
            description = "Identity file (default: the persona's identity.json, created on first use).")
    Path identity;

    @Option(names = {"-c", "--channels"}, paramLabel = "<channels>", arity = "1..*",
            description = "Channels to join, comma separated (default: #general).")
    List<String> channels;

    @Option(names = "--home", paramLabel = "<dir>", description = "Directory holding .agentchat (default: AGENTCHAT_HOME, else .).")
    String home;

    @Override
    public Integer call() throws Exception {
        // Nothing but JSON-RPC may reach stdout, whatever prints from here on.
        PrintStream rpcOut = System.out;
        System.setOut(System.err);
        PrintWriter err = spec.commandLine().getErr();
        String url = server != null ? server : root.env(URL_ENV);
        if (url == null || url.isBlank()) {
            err.println("Error: no server: give a URL or set " + URL_ENV);
            err.flush();
            return ExitCodes.FAILURE;
        }
        try {
            PersonaPaths.validateName(name);
        } catch (InvalidPersonaNameException e) {
            throw new BadValueException(spec.commandLine(), e.getMessage());
        }
        PersonaPaths paths = PersonaPaths.of(PersonaPaths.resolveHome(home, root.envMap(), Path.of("").toAbsolutePath()), name);
        ServerAddresses servers = ServerArgument.parse(spec.commandLine(), url);
        DaemonConfig.Builder builder = DaemonConfig.builder(paths, servers)
                .channels(channels == null ? DEFAULT_CHANNELS : DaemonCommand.parseChannels(channels));
        if (identity != null) {
            builder.identityFile(identity);
        }
        DaemonConfig config = builder.build();
        boolean holder = new DaemonProcess(paths).status().state() == DaemonProcess.State.STOPPED;
        if (holder) {
            // A bad identity is one line and rc 1, before anything starts.
            paths.createDirectories();
            PersonaIdentity.loadOrCreate(config.identityFile(), paths.name(), config.createIdentity(), Clock.systemUTC());
        }
        return serve(config, holder, rpcOut);
    }

    /** The log first (slf4j must not be initialised before it is configured), then the persona, then MCP. */
    private int serve(DaemonConfig config, boolean holder, PrintStream rpcOut) throws Exception {
        CompletableFuture<Void> signalled = new CompletableFuture<>();
        try (DaemonLogging logging = holder ? DaemonLogging.install(config.paths().log(), false) : null;
             TerminationSignals signals = TerminationSignals.install(() -> signalled.complete(null));
             McpPersona persona = holder ? McpPersona.open(config) : McpPersona.throughDaemon(config);
             EndOfInput in = new EndOfInput(root.in());
             AgentchatMcpServer mcp = AgentchatMcpServer.start(persona, in, rpcOut, VersionProvider.version())) {
            CompletableFuture.anyOf(in.ended(), persona.ended(), signalled).get();
            // The persona's own end (gave up, refused, stop file) gives the daemon's exit code.
            return persona.ended().isDone() ? persona.ended().get().code() : ExitCodes.OK;
        }
    }
}
