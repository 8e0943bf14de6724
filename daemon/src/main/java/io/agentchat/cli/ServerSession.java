package io.agentchat.cli;

import io.agentchat.client.AgentChatClient;
import io.agentchat.client.ClientOptions;
import io.agentchat.client.Connection;
import io.agentchat.client.FrameListener;
import io.agentchat.client.ServerUrl;
import io.agentchat.identity.Identity;
import java.net.URI;
import picocli.CommandLine;

/** A command's client and its one identified connection, closed together. */
final class ServerSession implements AutoCloseable {
    private final AgentChatClient client;
    private final Connection connection;

    private ServerSession(AgentChatClient client, Connection connection) {
        this.client = client;
        this.connection = connection;
    }

    /**
     * Parses the URL, loads the identity, connects and identifies. Every failure is an exception
     * with a one-line message for {@link CliExceptionHandler}.
     */
    static ServerSession open(CommandLine commandLine, String url, ConnectOptions options, FrameListener listener) {
        URI uri = ServerUrl.parse(url);
        ClientOptions clientOptions = ClientOptions.defaults().withTimeouts(options.timeout(commandLine));
        Identity identity = options.loadIdentity();
        AgentChatClient client = new AgentChatClient(clientOptions);
        try {
            return new ServerSession(client, client.connect(uri, options.name(), identity, listener));
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
