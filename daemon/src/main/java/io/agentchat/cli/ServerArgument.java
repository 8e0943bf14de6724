package io.agentchat.cli;

import io.agentchat.client.InvalidServerListException;
import io.agentchat.client.ServerAddresses;
import picocli.CommandLine;
import picocli.CommandLine.Parameters;

/**
 * The {@code <server>} that most networked commands take as their first argument: one URL, or a
 * comma-separated list of relays tried in order (docs/cluster.md, "Clients fail over").
 */
final class ServerArgument {
    static final String DESCRIPTION = "Server URL (ws://, wss://, http://, https://), or a comma-separated "
            + "list of a cluster's relays, tried in order.";

    @Parameters(index = "0", paramLabel = "<server>", description = DESCRIPTION)
    String url;

    String url() {
        return url;
    }

    /**
     * Reads a server argument. A malformed list is a usage error ({@code error: Invalid server list
     * ...}, rc 1); a single bad URL stays the runtime error it always was ({@code Error: Invalid URL: x}).
     */
    static ServerAddresses parse(CommandLine commandLine, String text) {
        try {
            return ServerAddresses.parse(text);
        } catch (InvalidServerListException e) {
            throw new CommandLine.ParameterException(commandLine, e.getMessage());
        }
    }
}
