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

/** {@code complete <server> <proposal_id> [-p proof]}: either party marks accepted work done. */
@Command(name = "complete", mixinStandardHelpOptions = true, description = "Mark a proposal as complete.")
final class CompleteCommand implements Callable<Integer> {
    @Spec
    CommandLine.Model.CommandSpec spec;

    @Mixin
    SignerOptions signer;

    @Parameters(index = "0", paramLabel = "<server>", description = "Server URL.")
    String server;

    @Parameters(index = "1", paramLabel = "<proposal_id>", description = "The proposal's ID.")
    String proposalId;

    @Option(names = {"-p", "--proof"}, paramLabel = "<proof>", description = "Proof of completion (tx hash, URL, ...).")
    String proof;

    @Override
    public Integer call() {
        ServerFrame.Complete completed;
        try (ServerSession session = signer.open(spec.commandLine(), server)) {
            completed = new Marketplace(session.connection()).complete(proposalId, proof);
        }
        PrintWriter out = spec.commandLine().getOut();
        out.println("Proposal completed:");
        out.println("  Proposal ID: " + completed.proposalId());
        out.println("  Status: " + completed.status());
        return ExitCodes.OK;
    }
}
