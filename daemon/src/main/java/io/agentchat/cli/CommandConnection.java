package io.agentchat.cli;

import io.agentchat.client.AgentChatClient;
import io.agentchat.client.ClientOptions;
import io.agentchat.client.Connection;
import io.agentchat.client.FrameListener;
import io.agentchat.client.ServerAddresses;
import io.agentchat.client.ServerFailover;
import io.agentchat.identity.Identity;
import java.time.Duration;
import picocli.CommandLine;

/** A command's client and its one identified connection, closed together. */
final class CommandConnection implements AutoCloseable {
    private final AgentChatClient client;
    private final Connection connection;

    private CommandConnection(AgentChatClient client, Connection connection) {
        this.client = client;
        this.connection = connection;
    }

    /**
     * Parses the server argument, loads the identity, connects to the first relay that answers and
     * identifies. Every failure is an exception with a one-line message for {@link CliExceptionHandler}.
     */
    static CommandConnection open(CommandLine commandLine, String server, ConnectOptions options, FrameListener listener) {
        ServerAddresses servers = ServerArgument.parse(commandLine, server);
        Duration timeout = options.timeout(commandLine);
        return open(servers, options.name(), options.loadIdentity(), timeout, listener);
    }

    /**
     * Connects with an already loaded identity (or none). With an identity, other agents'
     * verification requests are answered while the command runs.
     */
    static CommandConnection open(ServerAddresses servers, String name, Identity identity, Duration timeout,
                                  FrameListener listener) {
        ClientOptions clientOptions = ClientOptions.defaults().withTimeouts(timeout)
                .withAnswerVerifications(identity != null);
        AgentChatClient client = new AgentChatClient(clientOptions);
        try {
            return new CommandConnection(client, ServerFailover.connectFirst(client, servers, name, identity, listener));
        } catch (RuntimeException e) {
            client.close();
            throw e;
        }
    }

    Connection connection() {
        return connection;
    }

    @Override
    public void close() {
        connection.close();
        client.close();
    }
}
