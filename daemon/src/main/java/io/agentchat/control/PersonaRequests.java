package io.agentchat.control;

import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * Requests made on one persona's connection, wherever that connection is held: in this process
 * ({@link PersonaOperations}) or in a daemon reached through its control socket ({@link ControlClient}).
 * One interface for both is what lets {@code agentchat mcp} never open a second connection for a key
 * that a daemon already holds (docs/mcp.md).
 */
public interface PersonaRequests {

    /**
     * Performs {@code operation} (one of {@link PersonaOperations#OPERATIONS}) with {@code arguments}.
     *
     * @return the answer as a JSON object
     * @throws RequestRefused bad arguments, the server's refusal, no connection: a message a person
     *     or a model can act on; the persona stays usable for the next request
     */
    ObjectNode call(String operation, ObjectNode arguments);
}
