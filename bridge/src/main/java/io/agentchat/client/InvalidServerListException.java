package io.agentchat.client;

/**
 * A comma-separated server list that cannot be used (an empty entry, a URL that is not one, a
 * repeat). Kept apart from a single bad URL so a command line can call it a usage error.
 */
public final class InvalidServerListException extends ClientException {
    private static final long serialVersionUID = 1L;

    InvalidServerListException(String text, String problem) {
        super(Reason.INVALID_URL, "Invalid server list '" + text + "': " + problem);
    }
}
