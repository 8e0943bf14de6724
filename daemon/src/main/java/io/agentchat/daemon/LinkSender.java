package io.agentchat.daemon;

import io.agentchat.client.ClientException;
import io.agentchat.client.Connection;
import io.agentchat.client.ServerErrorException;
import io.agentchat.protocol.ErrorCode;
import java.time.Duration;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The outbox's {@link LineSender} on the live connection. A line counts as sent only when the
 * server's echo came back. The future completes from the client's own requests, each bounded by
 * the client's request timeout; only the wait for a link (up to 2 s) happens on the caller's thread.
 *
 * <ul>
 *   <li>A {@code #channel} this connection has not joined is joined first, and remembered so every
 *       reconnect rejoins it.</li>
 *   <li>RATE_LIMITED → RATE_LIMITED: the consumer tells its pacer (which slows down if it was
 *       guessing the pace) and resends the same line a full interval later, in order. AUTH_REQUIRED →
 *       RETRY_LATER, the same without the pacer slowing. CLUSTER_UNAVAILABLE (the relay lost its
 *       cluster's Redis) → RETRY_LATER after the usual delay.</li>
 *   <li>Disconnected → waits briefly for the link, then RETRY_LATER: the line waits for the reconnect.</li>
 *   <li>Any other ERROR (CHANNEL_NOT_FOUND, NOT_INVITED, AGENT_NOT_FOUND, INVALID_MSG, ...) →
 *       REJECTED_PERMANENTLY with the server's message, so the line goes to the rejects file.</li>
 *   <li>No reply in time → RETRY_LATER once the connection is dropped: replies are matched by
 *       order, so a late reply could be taken for the next request's. The same holds when the
 *       consumer gives up first and cancels the future: the connection is dropped.</li>
 * </ul>
 */
public final class LinkSender implements LineSender {

    private static final Logger LOG = LoggerFactory.getLogger(LinkSender.class);
    private static final Duration WAIT_FOR_LINK = Duration.ofSeconds(2);

    private final ServerLink link;

    public LinkSender(ServerLink link) {
        this.link = link;
    }

    @Override
    public CompletableFuture<SendOutcome> send(OutboxMessage message) {
        ServerLink.LiveConnection live;
        try {
            live = link.awaitLive(WAIT_FOR_LINK);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return CompletableFuture.completedFuture(SendOutcome.retryLater("interrupted", Duration.ZERO));
        }
        if (live == null) {
            return CompletableFuture.completedFuture(SendOutcome.retryLater("disconnected", Duration.ZERO));
        }
        String to = message.to();
        Connection connection = live.connection();
        CompletableFuture<?> joined = CompletableFuture.completedFuture(null);
        if (to.startsWith("#") && !live.joined().contains(to)) {
            joined = connection.joinAsync(to).thenRun(() -> {
                live.joined().add(to);
                link.remember(to);
                LOG.info("Joined {} for outbound message", to);
            });
        }
        CompletableFuture<SendOutcome> outcome = joined
                .thenCompose(ok -> connection.sendAsync(to, message.content()))
                .handle((echo, failure) -> failure == null
                        ? CompletableFuture.completedFuture(SendOutcome.accepted())
                        : outcomeOf(unwrap(failure), to, connection))
                .thenCompose(f -> f);
        outcome.whenComplete((result, failure) -> {
            if (failure instanceof CancellationException) {
                LOG.warn("The line to {} was given up unanswered; reconnecting", to);
                link.drop(connection).join();
            }
        });
        return outcome;
    }

    private CompletableFuture<SendOutcome> outcomeOf(Throwable failure, String to, Connection connection) {
        if (failure instanceof ServerErrorException e) {
            ErrorCode code = e.code();
            if (code == ErrorCode.RATE_LIMITED) {
                LOG.info("Server said {} for a line to {}; retrying it", e.wireCode(), to);
                return CompletableFuture.completedFuture(SendOutcome.rateLimited(e.getMessage()));
            }
            if (code == ErrorCode.CLUSTER_UNAVAILABLE) {
                LOG.warn("Server said {} for a line to {}; retrying it", e.wireCode(), to);
                return CompletableFuture.completedFuture(SendOutcome.retryLater(e.getMessage()));
            }
            if (code == ErrorCode.AUTH_REQUIRED) {
                LOG.info("Server said {} for a line to {}; retrying it", e.wireCode(), to);
                return CompletableFuture.completedFuture(SendOutcome.retryLater(e.getMessage(), Duration.ZERO));
            }
            LOG.warn("Server refused a line to {} ({}): {}", to, e.wireCode(), e.getMessage());
            return CompletableFuture.completedFuture(SendOutcome.rejected(e.getMessage()));
        }
        if (failure instanceof ClientException e) {
            SendOutcome retry = SendOutcome.retryLater(e.getMessage(), Duration.ZERO);
            if (e.reason() == ClientException.Reason.TIMEOUT) {
                LOG.warn("No reply to a line to {} in time; reconnecting", to);
                return link.drop(connection).thenApply(closed -> retry);
            }
            LOG.info("Line to {} not sent ({}); it will be retried", to, e.getMessage());
            return CompletableFuture.completedFuture(retry);
        }
        // Anything else is a bug on this side, not the server's verdict: retried after the usual delay.
        LOG.warn("Line sender failed: {}", failure.toString());
        return CompletableFuture.completedFuture(SendOutcome.retryLater(failure.toString()));
    }

    private static Throwable unwrap(Throwable failure) {
        return failure instanceof CompletionException && failure.getCause() != null ? failure.getCause() : failure;
    }
}
