package io.agentchat.cli;

import io.agentchat.protocol.ServerFrame;
import java.io.PrintWriter;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Spec;

/** {@code channels <server>}: the public channels and their member counts. */
@Command(name = "channels", mixinStandardHelpOptions = true,
        description = "List the public channels of a server.",
        footer = {"", "Example:", "  agentchat channels ws://localhost:6667"})
final class ChannelsCommand implements Callable<Integer> {
    @Spec
    CommandLine.Model.CommandSpec spec;

    @Mixin
    ConnectOptions options;

    @Mixin
    ServerArgument server;

    @Override
    public Integer call() {
        List<ServerFrame.ChannelInfo> channels;
        try (CommandConnection session = CommandConnection.open(spec.commandLine(), server.url(), options, null)) {
            channels = session.connection().listChannels();
        }
        PrintWriter out = spec.commandLine().getOut();
        out.println("Available channels:");
        for (ServerFrame.ChannelInfo channel : channels) {
            out.println("  " + channel.name() + " (" + channel.agents() + " agents)");
        }
        return ExitCodes.OK;
    }
}
