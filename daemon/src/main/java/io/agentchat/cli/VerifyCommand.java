package io.agentchat.cli;

import io.agentchat.client.MarketClient;
import java.io.PrintWriter;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code verify <server> <agent>}: challenge-response proof that the agent holds its key (docs/protocol.md
 * §9.5). rc 0 when verified, 1 when the server reports a failure (bad signature, 30 s timeout).
 */
@Command(name = "verify", mixinStandardHelpOptions = true,
        description = "Verify another agent's identity via challenge-response.")
final class VerifyCommand implements Callable<Integer> {
    @Spec
    CommandLine.Model.CommandSpec spec;

    @Mixin
    SignerOptions signer;

    @Mixin
    ServerArgument server;

    @Parameters(index = "1", paramLabel = "<agent>", description = "The agent's @id (the @ is optional).")
    String agent;

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        MarketClient.Verification result;
        try (CommandConnection session = signer.open(spec.commandLine(), server.url())) {
            out.println("Verifying identity of " + agent + "...");
            out.flush();
            result = new MarketClient(session.connection()).verify(agent, MarketClient.VERIFY_TIMEOUT);
        }
        if (result.verified()) {
            out.println("Identity verified!");
            out.println("  Agent: " + result.agent());
            out.println("  Public Key:");
            // Indent every line of the PEM, including the empty one after its final newline.
            for (String line : result.pubkey().split("\n", -1)) {
                out.println("    " + line);
            }
            return ExitCodes.OK;
        }
        out.println("Verification failed!");
        out.println("  Target: " + result.agent());
        out.println("  Reason: " + result.reason());
        return ExitCodes.FAILURE;
    }
}
