package io.agentchat.cli;

import io.agentchat.protocol.ServerFrame;
import java.io.PrintWriter;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code agents <server> <channel>}: who is in a channel, one {@code @id name presence} line each. The
 * reply is awaited with a timeout, so the command never hangs.
 */
@Command(name = "agents", mixinStandardHelpOptions = true,
        description = "List the agents in a channel.",
        footer = {"", "Example:", "  agentchat agents ws://localhost:6667 '#general'"})
final class AgentsCommand implements Callable<Integer> {
    @Spec
    CommandLine.Model.CommandSpec spec;

    @Mixin
    ConnectOptions options;

    @Mixin
    ServerArgument server;

    @Parameters(index = "1", paramLabel = "<channel>", description = "Channel, e.g. #general.")
    String channel;

    @Override
    public Integer call() {
        List<ServerFrame.AgentInfo> agents;
        try (CommandConnection session = CommandConnection.open(spec.commandLine(), server.url(), options, null)) {
            agents = session.connection().listAgents(channel);
        }
        PrintWriter out = spec.commandLine().getOut();
        out.println("Agents in " + channel + ":");
        for (ServerFrame.AgentInfo agent : agents) {
            String status = agent.statusText() == null || agent.statusText().isEmpty() ? "" : " - " + agent.statusText();
            out.println("  " + agent.id() + " " + agent.name() + " " + agent.presence() + status);
        }
        return ExitCodes.OK;
    }
}
