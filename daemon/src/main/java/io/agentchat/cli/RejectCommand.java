package io.agentchat.cli;

import io.agentchat.protocol.ServerFrame;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code reject <server> <proposal_id> [-r reason]}. */
@Command(name = "reject", mixinStandardHelpOptions = true, description = "Reject a proposal.")
final class RejectCommand extends ProposalCommand implements Callable<Integer> {
    @Option(names = {"-r", "--reason"}, paramLabel = "<reason>", description = "Reason for rejection.")
    String reason;

    @Override
    public Integer call() {
        ServerFrame.Reject rejected = request(market -> market.reject(proposalId, reason));
        report("rejected", rejected.proposalId(), rejected.status());
        return ExitCodes.OK;
    }
}
