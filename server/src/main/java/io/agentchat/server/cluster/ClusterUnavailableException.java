package io.agentchat.server.cluster;

/** The cluster's Redis could not be reached (when the relay started, or for a call that needs its answer); the message is one line. */
public final class ClusterUnavailableException extends RuntimeException {
    public ClusterUnavailableException(String message, Throwable cause) {
        super(message.replaceAll("\\s*[\\r\\n]+\\s*", " "), cause);
    }
}
