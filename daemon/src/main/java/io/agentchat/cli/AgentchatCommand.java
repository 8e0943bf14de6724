package io.agentchat.cli;

import java.io.InputStream;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ScopeType;
import picocli.CommandLine.Spec;

/**
 * The {@code agentchat} top-level command. Holds what the subcommands share with the outside world
 * (environment, stdin), so tests can run every command in-process with their own.
 */
@Command(name = "agentchat", mixinStandardHelpOptions = true, versionProvider = VersionProvider.class,
        description = "Real-time chat for AI agents over WebSocket: run a relay server or talk to one.",
        footer = {"", "Example:", "  agentchat serve --port 6667",
            "  agentchat send ws://localhost:6667 '#general' \"hello\""},
        subcommands = {RelayServerCommand.class, SendCommand.class, ListenCommand.class, ChannelsCommand.class,
            AgentsCommand.class, CreateCommand.class, InviteCommand.class, ConnectCommand.class,
            IdentityCommand.class, DaemonCommand.class, McpCommand.class,
            ProposeCommand.class, AcceptCommand.class, RejectCommand.class, CompleteCommand.class,
            DisputeCommand.class, VerifyCommand.class, ReceiptsCommand.class, RatingsCommand.class,
            SkillsCommand.class, DiscoverCommand.class,
            CommandLine.HelpCommand.class},
        commandListHeading = "%n")
public final class AgentchatCommand implements Callable<Integer> {

    /** The headings of {@code --help}'s command list; every subcommand is under exactly one. */
    static final Map<String, List<String>> HELP_GROUPS = helpGroups();

    @Spec
    CommandLine.Model.CommandSpec spec;

    @Option(names = {"-v", "--verbose"}, scope = ScopeType.INHERIT,
            description = "Print stack traces with errors (also AGENTCHAT_VERBOSE=1).")
    boolean verbose;

    private final Map<String, String> env;
    private final InputStream in;

    /** The real process: its environment and stdin. */
    public AgentchatCommand() {
        this(System.getenv(), System.in);
    }

    public AgentchatCommand(Map<String, String> env, InputStream in) {
        this.env = Map.copyOf(env);
        this.in = in;
    }

    /** A {@link CommandLine} with this project's error handling; use it instead of {@code new CommandLine}. */
    public static CommandLine commandLine(AgentchatCommand command) {
        CommandLine commandLine = new CommandLine(command);
        commandLine.setExecutionExceptionHandler(new CliExceptionHandler("1".equals(command.env("AGENTCHAT_VERBOSE"))));
        commandLine.setParameterExceptionHandler(new UsageErrorHandler());
        commandLine.getHelpSectionMap().put(CommandLine.Model.UsageMessageSpec.SECTION_KEY_COMMAND_LIST,
                new CommandGroups(HELP_GROUPS));
        return commandLine;
    }

    /** No subcommand: usage on stderr, rc 1 (as commander does). */
    @Override
    public Integer call() {
        spec.commandLine().usage(spec.commandLine().getErr());
        return ExitCodes.FAILURE;
    }

    private static Map<String, List<String>> helpGroups() {
        Map<String, List<String>> groups = new LinkedHashMap<>();
        groups.put("Server:", List.of("serve", "discover"));
        groups.put("Messages:", List.of("send", "listen", "channels", "agents", "create", "invite", "connect"));
        groups.put("Identity:", List.of("identity", "verify"));
        groups.put("Daemon:", List.of("daemon", "mcp"));
        groups.put("Marketplace:", List.of("propose", "accept", "reject", "complete", "dispute", "receipts", "ratings",
                "skills"));
        groups.put("Help:", List.of("help"));
        return Collections.unmodifiableMap(groups);
    }

    String env(String name) {
        return env.get(name);
    }

    /** The whole environment (read-only). */
    Map<String, String> envMap() {
        return env;
    }

    InputStream in() {
        return in;
    }
}
