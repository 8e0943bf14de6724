package io.agentchat.cli;

import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code create <server> <channel> [--private]}. */
@Command(name = "create", mixinStandardHelpOptions = true,
        description = "Create a channel (invite-only with --private).",
        footer = {"", "Example:", "  agentchat create ws://localhost:6667 '#secret' --private -i .agentchat/identity.json"})
final class CreateCommand implements Callable<Integer> {
    @Spec
    CommandLine.Model.CommandSpec spec;

    @Mixin
    ConnectOptions options;

    @Mixin
    ServerArgument server;

    @Parameters(index = "1", paramLabel = "<channel>", description = "New channel name, e.g. #newroom.")
    String channel;

    @Option(names = {"-p", "--private"}, description = "Make the channel invite-only.")
    boolean inviteOnly;

    @Override
    public Integer call() {
        try (CommandConnection session = CommandConnection.open(spec.commandLine(), server.url(), options, null)) {
            session.connection().createChannel(channel, inviteOnly);
        }
        spec.commandLine().getOut().println("Created " + channel + (inviteOnly ? " (invite-only)" : ""));
        return ExitCodes.OK;
    }
}
