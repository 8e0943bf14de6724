package io.agentchat.client;

import io.agentchat.identity.Identity;
import io.agentchat.protocol.ClientFrame;
import io.agentchat.protocol.ServerFrame;
import java.net.URI;
import java.time.Duration;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Answers the VERIFY_REQUESTs that reach one {@link Connection}: during the handshake the server's
 * identity challenge, and after it, if enabled, another agent's request. What may be signed is
 * {@link VerificationResponder}'s decision, so that no answer can be misused; this class sends the
 * answer and keeps track of the server's reply to it (VERIFY_SUCCESS/FAILED or an ERROR), which
 * comes in order like a request's reply and must not be taken for one.
 */
final class VerificationAnswers {
    /** The connection's logger: log lines name the logger, and this one has always been Connection's. */
    private static final Logger LOG = LoggerFactory.getLogger(Connection.class);

    private final Requests requests;
    private final Identity identity;
    private final URI uri;
    private final boolean answerPeers;
    private final Duration challengeTimeout;
    /** The server challenged our identity during the handshake, so it is one of ours (see VerificationResponder). */
    private volatile boolean serverChallenged;
    /** The server's reply to our answer to its challenge, while the handshake waits for it. */
    private volatile PendingRequests.Request<ServerFrame> challengeReply;

    VerificationAnswers(Requests requests, Identity identity, URI uri, boolean answerPeers, Duration challengeTimeout) {
        this.requests = requests;
        this.identity = identity;
        this.uri = uri;
        this.answerPeers = answerPeers;
        this.challengeTimeout = challengeTimeout;
    }

    /** Called by the reader; {@code handshake} is true before WELCOME. */
    void onRequest(ServerFrame.VerifyRequest request, boolean handshake) {
        if (!handshake && !answerPeers) {
            return;
        }
        ClientFrame.VerifyResponse response = handshake
                ? VerificationResponder.answerChallenge(identity, request, uri)
                : VerificationResponder.answer(identity, request, serverChallenged);
        if (response == null) {
            LOG.info("not answering verification request {} from {}", request.requestId(), request.from());
            return;
        }
        serverChallenged |= handshake;
        LOG.info("answering verification request {} from {}", request.requestId(), request.from());
        String description = "the reply to our VERIFY_RESPONSE " + response.requestId();
        if (handshake) {
            // Only our server challenges, and it answers every challenge response.
            challengeReply = requests.send(description, VerificationResponder.replyTo(response), challengeTimeout,
                    response);
        } else {
            // Servers differ in whether they answer the responder; a PING bounds whatever comes.
            requests.sendUnawaitedWithPing(description, response);
        }
    }

    /**
     * Waits, after WELCOME, for the server's verdict on our answer to its challenge, if it sent one:
     * until the server has it, the server does not route anything for our id to this connection, so
     * a caller told "connected" earlier could see a DM or proposal to it refused. A refusal (a proxy
     * that rewrites the Host header, say) is logged, not fatal: the server then treats this
     * connection as not holding the key and says so on what needs it.
     */
    void awaitChallengeVerdict() {
        PendingRequests.Request<ServerFrame> reply = challengeReply;
        if (reply == null) {
            return;
        }
        try {
            if (Requests.await(reply) instanceof ServerFrame.VerifyFailed failed) {
                LOG.warn("the server did not accept our proof of key ({}); it will not act on this connection"
                        + " as our id", failed.reason());
            }
        } catch (ServerErrorException e) {
            LOG.warn("the server refused our proof of key: {}", e.getMessage());
        } catch (ClientException e) {
            if (e.reason() != ClientException.Reason.TIMEOUT) {
                throw e;
            }
            LOG.warn("no verdict on our proof of key: {}", e.getMessage());
        }
    }
}
