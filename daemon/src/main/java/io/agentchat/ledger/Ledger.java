package io.agentchat.ledger;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.file.Path;
import java.time.Clock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The client-side reputation record of one working directory: receipts plus the local ratings
 * ledger derived from them, both in {@code ./.agentchat/}. The daemon calls {@link #recordCompletion} for every
 * COMPLETE frame it receives; the reference daemon does the same (DISPUTE frames are not stored).
 */
public final class Ledger {
    private static final Logger LOG = LoggerFactory.getLogger(Ledger.class);

    private final ReceiptStore receipts;
    private final Path ratingsFile;
    private final Clock clock;

    public Ledger(Path receiptsFile, Path ratingsFile, Clock clock) {
        this.receipts = new ReceiptStore(receiptsFile, clock);
        this.ratingsFile = ratingsFile;
        this.clock = clock;
    }

    /**
     * Stores a COMPLETE frame as a receipt if {@code ourAgentRef} is a party to it, then updates the
     * local ratings. A failed ratings update is logged and does not undo the receipt.
     *
     * @param completeFrameJson the frame's JSON exactly as received
     * @param ourAgentRef       our {@code @id}
     * @return whether a receipt was stored
     * @throws LedgerFileException if the receipt cannot be written
     */
    public boolean recordCompletion(String completeFrameJson, String ourAgentRef) {
        ObjectNode stored = receipts.append(completeFrameJson, ourAgentRef);
        if (stored == null) {
            return false;
        }
        try {
            RatingsLedger.update(ratingsFile, clock, ledger -> ledger.apply(stored));
        } catch (RuntimeException e) {
            LOG.warn("receipt for {} stored, but the local ratings were not updated: {}",
                    ReceiptStore.text(stored, "proposal_id"), e.getMessage());
        }
        return true;
    }
}
