package io.agentchat.daemon;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.function.Function;

/** A {@link LineSender} that records every attempt and answers with a scripted outcome. */
final class RecordingSender implements LineSender {

    private final List<OutboxMessage> attempts = new ArrayList<>();
    private final List<OutboxMessage> accepted = new ArrayList<>();
    private final List<Long> attemptNanos = new ArrayList<>();
    private final Function<OutboxMessage, CompletableFuture<SendOutcome>> script;

    RecordingSender() {
        this(m -> CompletableFuture.completedFuture(SendOutcome.accepted()));
    }

    RecordingSender(Function<OutboxMessage, CompletableFuture<SendOutcome>> script) {
        this.script = script;
    }

    @Override
    public CompletableFuture<SendOutcome> send(OutboxMessage message) {
        synchronized (this) {
            attempts.add(message);
            attemptNanos.add(System.nanoTime());
        }
        CompletableFuture<SendOutcome> outcome = script.apply(message);
        return outcome.thenApply(o -> {
            if (o.status() == SendOutcome.Status.ACCEPTED) {
                synchronized (this) {
                    accepted.add(message);
                }
            }
            return o;
        });
    }

    synchronized List<String> acceptedContents() {
        return accepted.stream().map(OutboxMessage::content).toList();
    }

    synchronized List<String> attemptContents() {
        return attempts.stream().map(OutboxMessage::content).toList();
    }

    synchronized List<OutboxMessage> accepted() {
        return List.copyOf(accepted);
    }

    synchronized List<Long> attemptNanos() {
        return List.copyOf(attemptNanos);
    }
}
