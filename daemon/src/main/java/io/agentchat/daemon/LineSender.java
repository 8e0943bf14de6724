package io.agentchat.daemon;

import java.util.concurrent.CompletableFuture;

/**
 * Where the outbox tailer hands valid lines: the seam the network client plugs into.
 *
 * <p>The tailer calls {@link #send} from its single consumer thread, one line at a time, in file
 * order, and does not hand over the next line until the returned future completes. An
 * implementation should complete with {@link SendOutcome#accepted()} only once the server has
 * taken the line (for a channel, our own echo; for a DM, the server's echo), with
 * {@link SendOutcome.Status#RATE_LIMITED} when the server refused it for its pace,
 * {@link SendOutcome.Status#RETRY_LATER} when disconnected, and with
 * {@link SendOutcome.Status#REJECTED_PERMANENTLY} for an ERROR that retrying cannot fix. A future
 * completed exceptionally counts as RETRY_LATER. The future must complete eventually; the
 * tailer treats one that takes longer than its send timeout as RETRY_LATER and cancels it, on its
 * own thread, before it retries: an implementation whose line may still be accepted late must
 * prevent that when cancelled (as {@link LinkSender} does by dropping the connection), or the line
 * is sent twice.
 */
@FunctionalInterface
public interface LineSender {

    CompletableFuture<SendOutcome> send(OutboxMessage message);
}
