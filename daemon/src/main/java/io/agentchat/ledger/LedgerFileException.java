package io.agentchat.ledger;

import java.nio.file.Path;

/** A client-side store file (receipts, ratings, server directory) cannot be read or written; one line naming the file. */
public final class LedgerFileException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public LedgerFileException(Path file, String problem) {
        super(problem.replace('\n', ' ') + ": " + file.toAbsolutePath());
    }
}
