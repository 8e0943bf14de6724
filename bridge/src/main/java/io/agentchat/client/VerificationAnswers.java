package io.agentchat.client;

import io.agentchat.identity.Identity;
import io.agentchat.protocol.ClientFrame;
import io.agentchat.protocol.ServerFrame;
import java.net.URI;
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
    /** The server challenged our identity during the handshake, so it is one of ours (see VerificationResponder). */
    private volatile boolean serverChallenged;

    VerificationAnswers(Requests requests, Identity identity, URI uri, boolean answerPeers) {
        this.requests = requests;
        this.identity = identity;
        this.uri = uri;
        this.answerPeers = answerPeers;
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
            requests.sendUnawaited(description, VerificationResponder.replyTo(response), response);
        } else {
            // Servers differ in whether they answer the responder; a PING bounds whatever comes.
            requests.sendUnawaitedWithPing(description, response);
        }
    }
}
