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

/** {@code accept <server> <proposal_id>}; works without {@code -s}, which the reference cannot do (W-10). */
@Command(name = "accept", mixinStandardHelpOptions = true, description = "Accept a proposal.")
final class AcceptCommand implements Callable<Integer> {
    @Spec
    CommandLine.Model.CommandSpec spec;

    @Mixin
    SignerOptions signer;

    @Parameters(index = "0", paramLabel = "<server>", description = "Server URL.")
    String server;

    @Parameters(index = "1", paramLabel = "<proposal_id>", description = "The proposal's ID.")
    String proposalId;

    @Option(names = {"-p", "--payment-code"}, paramLabel = "<code>", description = "Your payment code for receiving payment.")
    String paymentCode;

    @Option(names = {"-s", "--elo-stake"}, paramLabel = "<n>", description = "ELO points to stake (as acceptor).")
    Integer eloStake;

    @Override
    public Integer call() {
        ServerFrame.Accept accepted;
        try (ServerSession session = signer.open(spec.commandLine(), server)) {
            accepted = new Marketplace(session.connection()).accept(proposalId, paymentCode, eloStake);
        }
        PrintWriter out = spec.commandLine().getOut();
        out.println("Proposal accepted:");
        out.println("  Proposal ID: " + accepted.proposalId());
        out.println("  Status: " + accepted.status());
        if (accepted.proposerStake() != null && accepted.proposerStake() != 0) {
            out.println("  Proposer Stake: " + accepted.proposerStake() + " ELO");
        }
        if (accepted.acceptorStake() != 0) {
            out.println("  Your Stake: " + accepted.acceptorStake() + " ELO");
        }
        return ExitCodes.OK;
    }
}
