package io.agentchat.server.market;

import java.nio.file.Path;

/** A ratings file that cannot be read; the message is one line naming the file. */
public final class RatingsFileException extends RuntimeException {
    public RatingsFileException(Path file, String problem) {
        super("Corrupt ratings file " + file.toAbsolutePath() + ": " + problem, null, false, false);
    }
}
