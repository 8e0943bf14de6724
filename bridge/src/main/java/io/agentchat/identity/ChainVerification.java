package io.agentchat.identity;

import java.util.List;

/**
 * The outcome of {@link Identity#verifyChain()}: one line per problem, in chain order, worded like the
 * reference ({@code Rotation 1: Invalid signature}). An identity without rotations verifies trivially.
 *
 * @param failures what is wrong with the chain; empty when it verifies
 */
public record ChainVerification(List<String> failures) {

    public ChainVerification {
        failures = List.copyOf(failures);
    }

    /** Whether the chain verified without any failure. */
    public boolean valid() {
        return failures.isEmpty();
    }
}
