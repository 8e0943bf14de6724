package io.agentchat.client;

import io.agentchat.identity.Identity;
import io.agentchat.protocol.ClientFrame;
import io.agentchat.protocol.ServerFrame;
import java.time.Duration;

/**
 * The handshake of one {@link Connection}: IDENTIFY, then WELCOME, all within the connect timeout.
 * The server's identity challenge that may come in between is answered by
 * {@link VerificationAnswers}, which asks {@link #welcomed()} to tell it from a peer's request.
 */
final class Handshake {
    private final Requests requests;
    private final String name;
    private final Identity identity;
    private final Duration connectTimeout;
    private volatile ServerFrame.Welcome welcome;
    /** Set by the reader at WELCOME, so the frame right after it is never taken for the handshake. */
    private volatile boolean welcomed;

    Handshake(Requests requests, String name, Identity identity, Duration connectTimeout) {
        this.requests = requests;
        this.name = name;
        this.identity = identity;
        this.connectTimeout = connectTimeout;
    }

    /**
     * Sends IDENTIFY (with the identity's pubkey text unchanged, if there is one) and waits for WELCOME.
     *
     * @param timeout what is left of the connect timeout
     */
    void identify(Duration timeout) {
        String pubkey = identity == null ? null : identity.pubkey();
        try {
            welcome = Requests.await(requests.send("WELCOME", f -> f instanceof ServerFrame.Welcome w ? w : null,
                    timeout, new ClientFrame.Identify(name, pubkey)));
        } catch (ClientException e) {
            if (e.reason() != ClientException.Reason.TIMEOUT) {
                throw e;
            }
            // Report the whole connect budget, of which this wait had what was left.
            throw new ClientException(ClientException.Reason.TIMEOUT,
                    "Timed out after " + Requests.seconds(connectTimeout) + " waiting for WELCOME");
        }
    }

    /** Called by the reader with every frame, before anything else sees it. */
    void onFrame(ServerFrame frame) {
        if (frame instanceof ServerFrame.Welcome) {
            welcomed = true;
        }
    }

    boolean welcomed() {
        return welcomed;
    }

    /** The server's WELCOME; null until {@link #identify} returned. */
    ServerFrame.Welcome welcome() {
        return welcome;
    }
}
