package io.agentchat.cli;

import io.agentchat.client.MarketClient;
import java.io.PrintWriter;
import java.util.function.Function;
import picocli.CommandLine;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * What {@code accept}, {@code reject}, {@code complete} and {@code dispute} share: a signed
 * connection to {@code <server>}, one request about {@code <proposal_id>}, and the reference's
 * "Proposal &lt;verb&gt;:" report with the id and status.
 */
abstract class ProposalCommand {
    @Spec
    CommandLine.Model.CommandSpec spec;

    @Mixin
    SignerOptions signer;

    @Mixin
    ServerArgument server;

    @Parameters(index = "1", paramLabel = "<proposal_id>", description = "The proposal's ID.")
    String proposalId;

    /** Sends the request on a signed connection, closed before anything is printed. */
    final <T> T request(Function<MarketClient, T> call) {
        try (CommandConnection session = signer.open(spec.commandLine(), server.url())) {
            return call.apply(new MarketClient(session.connection()));
        }
    }

    /** Prints the report's first three lines and returns the writer for any more. */
    final PrintWriter report(String verb, String id, String status) {
        PrintWriter out = spec.commandLine().getOut();
        out.println("Proposal " + verb + ":");
        out.println("  Proposal ID: " + id);
        out.println("  Status: " + status);
        return out;
    }
}
