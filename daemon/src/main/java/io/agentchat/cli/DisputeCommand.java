package io.agentchat.cli;

import io.agentchat.protocol.ServerFrame;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

/** {@code dispute <server> <proposal_id> <reason>}: either party disputes accepted work. */
@Command(name = "dispute", mixinStandardHelpOptions = true, description = "Dispute a proposal.")
final class DisputeCommand extends ProposalCommand implements Callable<Integer> {
    @Parameters(index = "2", paramLabel = "<reason>", description = "Why (required).")
    String reason;

    @Override
    public Integer call() {
        if (reason.isBlank()) {
            throw new IllegalArgumentException("Dispute reason is required");
        }
        ServerFrame.Dispute disputed = request(market -> market.dispute(proposalId, reason));
        report("disputed", disputed.proposalId(), disputed.status()).println("  Reason: " + reason);
        return ExitCodes.OK;
    }
}
