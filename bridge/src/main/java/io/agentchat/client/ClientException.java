package io.agentchat.client;

/**
 * A client-side failure: the server could not be reached, a reply did not come in time, the
 * connection closed, or the outgoing queue is full. The message is one line, fit for
 * {@code Error: <message>} on a terminal. Errors the server reported are {@link ServerErrorException}.
 */
public class ClientException extends RuntimeException {

    /** What went wrong, so callers can react without parsing messages. */
    public enum Reason {
        /** Nothing listens at the address (TCP connection refused). */
        CONNECTION_REFUSED,
        /** The server URL cannot be used. */
        INVALID_URL,
        /** The host name could not be resolved. */
        UNKNOWN_HOST,
        /** Connect, handshake or a reply took longer than its timeout. */
        TIMEOUT,
        /** The connection closed (by either side) before the operation finished. */
        CLOSED,
        /** The outgoing frame queue is full: the server is not reading. */
        QUEUE_FULL,
        /** The server sent an ERROR frame ({@link ServerErrorException}). */
        SERVER_ERROR,
        /** Any other I/O or protocol failure. */
        IO
    }

    private final Reason reason;

    public ClientException(Reason reason, String message) {
        this(reason, message, null);
    }

    public ClientException(Reason reason, String message, Throwable cause) {
        super(oneLine(message), cause);
        this.reason = reason;
    }

    public Reason reason() {
        return reason;
    }

    static String oneLine(String message) {
        return message == null ? "" : message.replace('\r', ' ').replace('\n', ' ');
    }
}
