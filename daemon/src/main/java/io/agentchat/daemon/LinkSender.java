package io.agentchat.daemon;

import io.agentchat.client.ClientException;
import io.agentchat.client.ServerErrorException;
import io.agentchat.protocol.ErrorCode;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The outbox's {@link LineSender} on the live connection. A line counts as sent only when the
 * server's echo came back (W-3, W-13). Called on the outbox consumer thread, one line at a time;
 * it blocks that thread (the consumer waits for the outcome anyway) and returns a completed future.
 *
 * <ul>
 *   <li>A {@code #channel} this connection has not joined is joined first, and remembered so every
 *       reconnect rejoins it (W-5).</li>
 *   <li>RATE_LIMITED (and AUTH_REQUIRED) → RETRY_LATER: the consumer tells its pacer and resends the
 *       same line a full interval later, in order.</li>
 *   <li>Disconnected → waits briefly for the link, then RETRY_LATER: the line waits for the reconnect.</li>
 *   <li>Any other ERROR (CHANNEL_NOT_FOUND, NOT_INVITED, AGENT_NOT_FOUND, INVALID_MSG, ...) →
 *       REJECTED_PERMANENTLY with the server's message, so the line goes to the rejects file.</li>
 *   <li>No reply in time → RETRY_LATER, and the connection is dropped: replies are matched by order,
 *       so a late reply could be taken for the next request's.</li>
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
        try {
            return CompletableFuture.completedFuture(sendNow(message));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return CompletableFuture.completedFuture(SendOutcome.retryLater("interrupted", Duration.ZERO));
        }
    }

    private SendOutcome sendNow(OutboxMessage message) throws InterruptedException {
        ServerLink.LiveConnection session = link.awaitLive(WAIT_FOR_LINK);
        if (session == null) {
            return SendOutcome.retryLater("disconnected", Duration.ZERO);
        }
        String to = message.to();
        try {
            if (to.startsWith("#") && !session.joined().contains(to)) {
                session.connection().join(to);
                session.joined().add(to);
                link.remember(to);
                LOG.info("Joined {} for outbound message", to);
            }
            session.connection().send(to, message.content());
            return SendOutcome.accepted();
        } catch (ServerErrorException e) {
            ErrorCode code = e.code();
            if (code == ErrorCode.RATE_LIMITED || code == ErrorCode.AUTH_REQUIRED) {
                LOG.info("Server said {} for a line to {}; retrying it", e.wireCode(), to);
                return SendOutcome.retryLater(e.getMessage(), Duration.ZERO);
            }
            LOG.warn("Server refused a line to {} ({}): {}", to, e.wireCode(), e.getMessage());
            return SendOutcome.rejected(e.getMessage());
        } catch (ClientException e) {
            if (e.reason() == ClientException.Reason.TIMEOUT) {
                LOG.warn("No reply to a line to {} in time; reconnecting", to);
                session.connection().close();
            } else {
                LOG.info("Line to {} not sent ({}); it will be retried", to, e.getMessage());
            }
            return SendOutcome.retryLater(e.getMessage(), Duration.ZERO);
        }
    }
}
