package io.agentchat.client;

import io.agentchat.protocol.ErrorCode;

/**
 * The server answered a request with an ERROR frame. {@link #getMessage()} is the server's own
 * message (for example {@code Channel #nosuch not found}); {@link #code()} its error code.
 */
public final class ServerErrorException extends ClientException {
    private final String wireCode;

    public ServerErrorException(String wireCode, String message) {
        super(Reason.SERVER_ERROR, message == null || message.isEmpty() ? String.valueOf(wireCode) : message);
        this.wireCode = wireCode;
    }

    /** The code as sent, also for codes this build does not know. */
    public String wireCode() {
        return wireCode;
    }

    /** The code as an enum, or null for an unknown code. */
    public ErrorCode code() {
        return ErrorCode.fromWire(wireCode);
    }
}
