package io.agentchat.server.cluster;

/**
 * The cluster's Redis did not answer a call in time: unlike {@link ClusterUnavailableException}, it
 * may still carry the call out once it answers again, so whether it took effect is not known.
 */
public final class ClusterUnansweredException extends RuntimeException {
    public ClusterUnansweredException(Throwable cause) {
        super(cause.getMessage(), cause);
    }

    /** Whether {@code failure} (or the cause it wraps, as a future gives it) is this. */
    public static boolean is(Throwable failure) {
        for (Throwable t = failure; t != null; t = t.getCause()) {
            if (t instanceof ClusterUnansweredException) {
                return true;
            }
        }
        return false;
    }
}
