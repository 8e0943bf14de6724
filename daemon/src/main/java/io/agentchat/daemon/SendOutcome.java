package io.agentchat.daemon;

import java.time.Duration;
import java.util.Objects;

/**
 * What became of one outbox line handed to a {@link LineSender}.
 *
 * @param status the verdict
 * @param reason why, for RETRY_LATER (logged) and REJECTED_PERMANENTLY (written to the rejects file)
 * @param retryAfter for RETRY_LATER and RATE_LIMITED, the least time to wait before the same line is tried again;
 *     null lets the tailer use its configured retry delay
 */
public record SendOutcome(Status status, String reason, Duration retryAfter) {

    public enum Status {
        /** The server took the line (echo or acknowledgement seen): the checkpoint moves past it. */
        ACCEPTED,
        /** Disconnected, no answer, or the like: try the same line again later, keeping order. */
        RETRY_LATER,
        /** The server refused the line for its pace: retried as RETRY_LATER, and the pacer told. */
        RATE_LIMITED,
        /** The server will never take it (unknown channel, content too long...): set aside. */
        REJECTED_PERMANENTLY
    }

    public SendOutcome {
        Objects.requireNonNull(status, "status");
        reason = reason == null ? "" : reason;
    }

    public static SendOutcome accepted() {
        return new SendOutcome(Status.ACCEPTED, "", null);
    }

    public static SendOutcome retryLater(String reason) {
        return new SendOutcome(Status.RETRY_LATER, reason, null);
    }

    public static SendOutcome retryLater(String reason, Duration retryAfter) {
        return new SendOutcome(Status.RETRY_LATER, reason, retryAfter);
    }

    public static SendOutcome rateLimited(String reason) {
        return new SendOutcome(Status.RATE_LIMITED, reason, Duration.ZERO);
    }

    public static SendOutcome rejected(String reason) {
        return new SendOutcome(Status.REJECTED_PERMANENTLY, reason, null);
    }
}
