package io.agentchat.protocol;

/**
 * A frame or request that breaks a protocol rule. Carries the error code and the exact message
 * the ERROR frame will show, so the thrower decides the wire text and the transport only relays it.
 */
public final class ProtocolException extends RuntimeException {
    private final ErrorCode code;

    public ProtocolException(ErrorCode code, String message) {
        super(message, null, false, false);
        this.code = code;
    }

    public static ProtocolException invalid(String message) {
        return new ProtocolException(ErrorCode.INVALID_MSG, message);
    }

    public ErrorCode code() {
        return code;
    }
}
