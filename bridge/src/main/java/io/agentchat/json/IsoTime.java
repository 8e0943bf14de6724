package io.agentchat.json;

import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;

/**
 * ISO-8601 UTC with milliseconds, as JavaScript's {@code Date.toISOString()}: the {@code updated}
 * field of a ratings file, the times of {@code /health}, and the times the CLI prints.
 */
public final class IsoTime {
    private static final DateTimeFormatter ISO_MS =
            DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss.SSS'Z'").withZone(ZoneOffset.UTC);

    private IsoTime() {
    }

    public static String format(long millis) {
        return ISO_MS.format(Instant.ofEpochMilli(millis));
    }
}
