package io.agentchat.daemon;

import io.agentchat.client.FrameListener;
import io.agentchat.identity.Identity;
import io.agentchat.ledger.Ledger;
import io.agentchat.ledger.LedgerFileException;
import io.agentchat.protocol.FrameType;
import io.agentchat.protocol.ServerFrame;
import java.util.EnumSet;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Decides what a connection's frames do: the frames the original daemon mirrors to its inbox, and
 * every ERROR, go to the inbox as the server's raw text (a replayed message the daemon missed loses
 * its replay marker, {@link LateReplays}); a COMPLETE we are a party to becomes a
 * receipt in the ledger. A peer's VERIFY_REQUEST is answered by the client itself
 * ({@code ClientOptions.withAnswerVerifications}). Runs on the connections' dispatcher threads
 * and never blocks them: the inbox writer's {@code offer} only queues.
 */
public final class InboxRouter implements FrameListener {

    private static final Logger LOG = LoggerFactory.getLogger(InboxRouter.class);

    /** The frames the original daemon writes, plus ERROR so a file-only agent sees why a line failed. */
    static final Set<FrameType> STORED = EnumSet.of(FrameType.MSG, FrameType.AGENT_JOINED, FrameType.AGENT_LEFT,
            FrameType.PROPOSAL, FrameType.ACCEPT, FrameType.REJECT, FrameType.COMPLETE, FrameType.DISPUTE,
            FrameType.SKILLS_REGISTERED, FrameType.SEARCH_RESULTS, FrameType.ERROR);

    private final InboxWriter inbox;
    private final Identity identity;
    private final Ledger ledger;
    private final LateReplays lateReplays = new LateReplays();

    public InboxRouter(InboxWriter inbox, Identity identity, Ledger ledger) {
        this.inbox = inbox;
        this.identity = identity;
        this.ledger = ledger;
    }

    @Override
    public void onFrame(ServerFrame frame, String rawText) {
        String text = lateReplays.textFor(frame, rawText);
        if (STORED.contains(frame.type())) {
            inbox.offer(text);
        }
        if (frame instanceof ServerFrame.Complete complete) {
            saveReceipt(complete, rawText);
        } else if (frame instanceof ServerFrame.Error error) {
            LOG.warn("Server error {}: {}", error.code(), error.message());
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
}
