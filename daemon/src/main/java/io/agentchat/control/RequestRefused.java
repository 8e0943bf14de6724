package io.agentchat.control;

/** A request that cannot be done, with a one-line reason meant for whoever made it (a model, via MCP). */
public class RequestRefused extends RuntimeException {

    public RequestRefused(String message) {
        super(message, null, false, false);
    }
}
