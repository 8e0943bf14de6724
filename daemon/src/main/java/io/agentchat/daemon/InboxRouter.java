package io.agentchat.daemon;

import io.agentchat.client.Connection;
import io.agentchat.client.FrameListener;
import io.agentchat.identity.Identity;
import io.agentchat.identity.SignedText;
import io.agentchat.ledger.Ledger;
import io.agentchat.ledger.LedgerFileException;
import io.agentchat.protocol.ClientFrame;
import io.agentchat.protocol.ServerFrame;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Decides what a connection's frames do: the frames the original mirrors (CLI.md §3.3) and every
 * ERROR (W-3) go to the inbox as the server's raw text; a peer's VERIFY_REQUEST is answered with
 * our key (W-9); a COMPLETE we are a party to becomes a receipt in the ledger (CLI.md §3.6). Runs on the connection's dispatcher thread and never blocks it: the inbox writer's
 * {@code offer} only queues.
 */
public final class InboxRouter implements FrameListener {

    private static final Logger LOG = LoggerFactory.getLogger(InboxRouter.class);

    /** CLI.md §3.3's "written" frames, plus ERROR so a file-only agent sees why a line failed. */
    static final Set<String> STORED = Set.of("MSG", "AGENT_JOINED", "AGENT_LEFT", "PROPOSAL", "ACCEPT", "REJECT",
            "COMPLETE", "DISPUTE", "SKILLS_REGISTERED", "SEARCH_RESULTS", "ERROR");

    private final InboxWriter inbox;
    private final Identity identity;
    private final ServerLink.LinkHolder holder;
    private final Ledger ledger;

    public InboxRouter(InboxWriter inbox, Identity identity, ServerLink.LinkHolder holder, Ledger ledger) {
        this.inbox = inbox;
        this.identity = identity;
        this.holder = holder;
        this.ledger = ledger;
    }

    @Override
    public void onFrame(ServerFrame frame, String rawText) {
        if (STORED.contains(frame.wireType())) {
            inbox.offer(rawText);
        }
        if (frame instanceof ServerFrame.Complete complete) {
            saveReceipt(complete, rawText);
        } else if (frame instanceof ServerFrame.Error error) {
            LOG.warn("Server error {}: {}", error.code(), error.message());
        } else if (frame instanceof ServerFrame.VerifyRequest request && request.isChallenge()
                && !"@server".equals(request.from())) {
            answer(request);
        }
    }

    /** One small append per completed job; rare enough to do on the dispatcher thread. */
    private void saveReceipt(ServerFrame.Complete complete, String rawText) {
        try {
            if (ledger.recordCompletion(rawText, "@" + identity.agentId())) {
                LOG.info("Saved receipt for proposal {}", complete.proposalId());
            }
        } catch (LedgerFileException e) {
            LOG.error("Receipt for proposal {} not saved: {}", complete.proposalId(), e.getMessage());
        }
    }

    @Override
    public void onError(Throwable error) {
        LOG.warn("Connection problem: {}", error.getMessage());
    }

    /**
     * Signs the domain-separated text {@code AGENTCHAT-VERIFY|<request_id>|<nonce>}, never the bare
     * nonce, so a peer cannot use us to sign anything else (the server accepts both forms).
     */
    private void answer(ServerFrame.VerifyRequest request) {
        Connection connection = holder.connection();
        if (connection == null || request.requestId() == null) {
            LOG.warn("Verification request from {} arrived before the connection was ready; not answered",
                    request.from());
            return;
        }
        String signature = identity.sign(SignedText.verification(request.requestId(), request.nonce()));
        connection.sendFrame(new ClientFrame.VerifyResponse(request.requestId(), request.nonce(), signature));
        LOG.info("Answered verification request {} from {}", request.requestId(), request.from());
    }
}
