package io.agentchat.daemon;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The {@code newdata} file, which tells a reader polling one small file that the inbox has grown:
 * rewritten after each batch of appends with the current time in ms (decimal, no newline, as the
 * original daemon writes it).
 */
final class NewdataFile {

    private static final Logger LOG = LoggerFactory.getLogger(NewdataFile.class);

    private final Path file;
    private final Clock clock;

    NewdataFile(Path file, Clock clock) {
        this.file = file;
        this.clock = clock;
    }

    /** Writes the time; a failure is logged, never thrown, as the lines themselves are stored. */
    void touch() {
        try {
            Files.writeString(file, Long.toString(clock.millis()), StandardCharsets.UTF_8);
        } catch (IOException e) {
            LOG.warn("Could not update {}: {}", file, e.toString());
        }
    }
}
