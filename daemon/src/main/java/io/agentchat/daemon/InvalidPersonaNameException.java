package io.agentchat.daemon;

/**
 * A persona name that is not a single safe path segment ({@code ^[A-Za-z0-9_-]{1,64}$}); the CLI maps it
 * to exit code 2.
 */
public final class InvalidPersonaNameException extends IllegalArgumentException {

    private static final long serialVersionUID = 1L;

    public InvalidPersonaNameException(String name) {
        super("Invalid persona name '" + name + "': use 1-64 characters from A-Z a-z 0-9 _ -");
    }
}
