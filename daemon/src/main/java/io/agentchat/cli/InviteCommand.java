package io.agentchat.cli;

import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code invite <server> <channel> <agent>}: joins the channel, invites, and confirms with a PING
 * round trip, so an ERROR from the server is reported instead of a false success.
 */
@Command(name = "invite", mixinStandardHelpOptions = true,
        description = "Invite an agent into an invite-only channel (you must be a member).",
        footer = {"", "Example:", "  agentchat invite ws://localhost:6667 '#secret' @55ffc77c -i .agentchat/identity.json"})
final class InviteCommand implements Callable<Integer> {
    @Spec
    CommandLine.Model.CommandSpec spec;

    @Mixin
    ConnectOptions options;

    @Mixin
    ServerArgument server;

    @Parameters(index = "1", paramLabel = "<channel>", description = "Channel, e.g. #secret.")
    String channel;

    @Parameters(index = "2", paramLabel = "<agent>", description = "Agent id, e.g. @55ffc77c (the @ is optional).")
    String agent;

    @Override
    public Integer call() {
        String target = agent.startsWith("@") ? agent : "@" + agent;
        try (CommandConnection session = CommandConnection.open(spec.commandLine(), server.url(), options, null)) {
            session.connection().join(channel);
            session.connection().invite(channel, target);
        }
        spec.commandLine().getOut().println("Invited " + agent + " to " + channel);
        return ExitCodes.OK;
    }
}
