package io.agentchat.cli;

import io.agentchat.client.Marketplace;
import io.agentchat.protocol.ServerFrame;
import java.io.PrintWriter;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code reject <server> <proposal_id> [-r reason]}. */
@Command(name = "reject", mixinStandardHelpOptions = true, description = "Reject a proposal.")
final class RejectCommand implements Callable<Integer> {
    @Spec
    CommandLine.Model.CommandSpec spec;

    @Mixin
    SignerOptions signer;

    @Parameters(index = "0", paramLabel = "<server>", description = "Server URL.")
    String server;

    @Parameters(index = "1", paramLabel = "<proposal_id>", description = "The proposal's ID.")
    String proposalId;

    @Option(names = {"-r", "--reason"}, paramLabel = "<reason>", description = "Reason for rejection.")
    String reason;

    @Override
    public Integer call() {
        ServerFrame.Reject rejected;
        try (ServerSession session = signer.open(spec.commandLine(), server)) {
            rejected = new Marketplace(session.connection()).reject(proposalId, reason);
        }
        PrintWriter out = spec.commandLine().getOut();
        out.println("Proposal rejected:");
        out.println("  Proposal ID: " + rejected.proposalId());
        out.println("  Status: " + rejected.status());
        return ExitCodes.OK;
    }
}
