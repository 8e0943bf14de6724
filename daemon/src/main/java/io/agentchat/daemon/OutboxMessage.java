package io.agentchat.daemon;

import java.util.Objects;

/**
 * One valid outbox line, as handed to a {@link LineSender}.
 *
 * @param to the target, {@code #channel} or {@code @agent}
 * @param content the message text (may be long; never log it at INFO or above)
 * @param line the raw line without its newline, for senders that honour extra keys later
 */
public record OutboxMessage(String to, String content, String line) {
    public OutboxMessage {
        Objects.requireNonNull(to, "to");
        Objects.requireNonNull(content, "content");
        Objects.requireNonNull(line, "line");
    }
}
