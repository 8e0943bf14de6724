package io.agentchat.client;

import io.agentchat.identity.Identity;
import java.net.URI;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Connects to the first relay of a {@link ServerAddresses} list that answers (WebSocket open and
 * WELCOME, each within the client's connect timeout). A relay that cannot be reached, times out or
 * fails the handshake is skipped; a relay that refuses the IDENTIFY ({@link ServerErrorException})
 * ends the attempt, since the others would refuse the same name or key.
 */
public final class ServerFailover {
    private ServerFailover() {
    }

    /**
     * @throws ServerErrorException if a relay refuses the IDENTIFY
     * @throws ClientException with one relay, exactly what {@link AgentChatClient#connect} threw;
     *     with several, a {@link NoServerAnsweredException} naming each
     */
    public static Connection connectFirst(AgentChatClient client, ServerAddresses servers, String name,
                                          Identity identity, FrameListener listener) {
        if (servers.size() == 1) {
            return client.connect(servers.get(0), name, identity, listener);
        }
        Map<URI, ClientException> failures = new LinkedHashMap<>();
        for (URI uri : servers.uris()) {
            try {
                return client.connect(uri, name, identity, listener);
            } catch (ServerErrorException e) {
                throw e;
            } catch (ClientException e) {
                failures.put(uri, e);
            }
        }
        throw new NoServerAnsweredException(failures);
    }
}
