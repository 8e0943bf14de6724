package io.agentchat.cli;

import io.agentchat.protocol.ServerFrame;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code complete <server> <proposal_id> [-p proof]}: either party marks accepted work done. */
@Command(name = "complete", mixinStandardHelpOptions = true, description = "Mark a proposal as complete.")
final class CompleteCommand extends ProposalCommand implements Callable<Integer> {
    @Option(names = {"-p", "--proof"}, paramLabel = "<proof>", description = "Proof of completion (tx hash, URL, ...).")
    String proof;

    @Override
    public Integer call() {
        ServerFrame.Complete completed = request(market -> market.complete(proposalId, proof));
        report("completed", completed.proposalId(), completed.status());
        return ExitCodes.OK;
    }
}
