package io.agentchat.cli;

import io.agentchat.client.Marketplace;
import io.agentchat.protocol.ServerFrame;
import java.io.PrintWriter;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code dispute <server> <proposal_id> <reason>}: either party disputes accepted work. */
@Command(name = "dispute", mixinStandardHelpOptions = true, description = "Dispute a proposal.")
final class DisputeCommand implements Callable<Integer> {
    @Spec
    CommandLine.Model.CommandSpec spec;

    @Mixin
    SignerOptions signer;

    @Parameters(index = "0", paramLabel = "<server>", description = "Server URL.")
    String server;

    @Parameters(index = "1", paramLabel = "<proposal_id>", description = "The proposal's ID.")
    String proposalId;

    @Parameters(index = "2", paramLabel = "<reason>", description = "Why (required).")
    String reason;

    @Override
    public Integer call() {
        if (reason.isBlank()) {
            throw new IllegalArgumentException("Dispute reason is required");
        }
        ServerFrame.Dispute disputed;
        try (ServerSession session = signer.open(spec.commandLine(), server)) {
            disputed = new Marketplace(session.connection()).dispute(proposalId, reason);
        }
        PrintWriter out = spec.commandLine().getOut();
        out.println("Proposal disputed:");
        out.println("  Proposal ID: " + disputed.proposalId());
        out.println("  Status: " + disputed.status());
        out.println("  Reason: " + reason);
        return ExitCodes.OK;
    }
}
