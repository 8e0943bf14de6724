package io.agentchat.identity;

/**
 * An identity could not be created, loaded, saved or used.
 *
 * <p>The message is always a single line (line breaks are replaced by spaces), so a CLI can print it
 * as {@code Error: <message>} without further processing.
 */
public class IdentityException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    public IdentityException(String message) {
        super(oneLine(message));
    }

    public IdentityException(String message, Throwable cause) {
        super(oneLine(message), cause);
    }

    private static String oneLine(String message) {
        return message == null ? "" : message.replaceAll("[\\r\\n]+", " ").strip();
    }
}
