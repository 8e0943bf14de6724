package io.agentchat.cli;

import io.agentchat.protocol.ServerFrame;
import java.io.PrintWriter;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code accept <server> <proposal_id>}; works without {@code -s}, which the reference cannot do (it
 * sends {@code elo_stake: null}; we omit absent fields).
 */
@Command(name = "accept", mixinStandardHelpOptions = true, description = "Accept a proposal.")
final class AcceptCommand extends ProposalCommand implements Callable<Integer> {
    @Option(names = {"-p", "--payment-code"}, paramLabel = "<code>", description = "Your payment code for receiving payment.")
    String paymentCode;

    @Option(names = {"-s", "--elo-stake"}, paramLabel = "<n>", description = "ELO points to stake (as acceptor).")
    Integer eloStake;

    @Override
    public Integer call() {
        ServerFrame.Accept accepted = request(market -> market.accept(proposalId, paymentCode, eloStake));
        PrintWriter out = report("accepted", accepted.proposalId(), accepted.status());
        if (accepted.proposerStake() != null && accepted.proposerStake() != 0) {
            out.println("  Proposer Stake: " + accepted.proposerStake() + " ELO");
        }
        if (accepted.acceptorStake() != 0) {
            out.println("  Your Stake: " + accepted.acceptorStake() + " ELO");
        }
        return ExitCodes.OK;
    }
}
