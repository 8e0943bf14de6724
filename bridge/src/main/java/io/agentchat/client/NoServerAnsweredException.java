package io.agentchat.client;

import java.net.URI;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * None of the relays of a list answered: the message names each URL tried and why it failed
 * ({@code No server answered: ws://a:6667/ (Connection refused), ws://b:6667/ (Timed out ...)}).
 * The reason is the failures' common one (every relay refused, or every one timed out), else IO.
 */
public final class NoServerAnsweredException extends ClientException {
    private static final long serialVersionUID = 1L;

    /** @param failures in the order tried */
    NoServerAnsweredException(Map<URI, ClientException> failures) {
        super(commonReason(failures), "No server answered: " + failures.entrySet().stream()
                .map(e -> e.getKey() + " (" + e.getValue().getMessage() + ")")
                .collect(Collectors.joining(", ")));
        failures.values().forEach(this::addSuppressed);
    }

    private static Reason commonReason(Map<URI, ClientException> failures) {
        var reasons = failures.values().stream().map(ClientException::reason).distinct().toList();
        return reasons.size() == 1 ? reasons.get(0) : Reason.IO;
    }
}
