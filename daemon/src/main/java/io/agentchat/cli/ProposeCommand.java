package io.agentchat.cli;

import com.fasterxml.jackson.databind.JsonNode;
import io.agentchat.client.MarketClient;
import io.agentchat.json.JsNumber;
import io.agentchat.protocol.ServerFrame;
import io.agentchat.json.IsoTime;
import java.io.PrintWriter;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code propose <server> <agent> <task>}: a signed work proposal (docs/protocol.md §9.1); the target must
 * be online.
 */
@Command(name = "propose", mixinStandardHelpOptions = true, description = "Send a work proposal to another agent.",
        footer = {"", "Example:", "  agentchat propose ws://localhost:6667 @55ffc77c \"write a haiku\" -a 5 -c TEST"})
final class ProposeCommand implements Callable<Integer> {
    @Spec
    CommandLine.Model.CommandSpec spec;

    @Mixin
    SignerOptions signer;

    @Mixin
    ServerArgument server;

    @Parameters(index = "1", paramLabel = "<agent>", description = "Recipient @id (the @ is optional).")
    String agent;

    @Parameters(index = "2", paramLabel = "<task>", description = "What is to be done.")
    String task;

    @Option(names = {"-a", "--amount"}, paramLabel = "<n>", description = "Payment amount.")
    Double amount;

    @Option(names = {"-c", "--currency"}, paramLabel = "<code>", description = "Currency (SOL, USDC, AKT, TEST, ...).")
    String currency;

    @Option(names = {"-p", "--payment-code"}, paramLabel = "<code>", description = "Your payment code (BIP47, address).")
    String paymentCode;

    @Option(names = {"-e", "--expires"}, paramLabel = "<seconds>", defaultValue = "300",
            description = "Expires after this many seconds (default: ${DEFAULT-VALUE}; 0: the server's default).")
    double expires;

    @Option(names = {"-t", "--terms"}, paramLabel = "<terms>", description = "Additional terms.")
    String terms;

    @Option(names = {"-s", "--elo-stake"}, paramLabel = "<n>", description = "ELO points to stake on this proposal.")
    Integer eloStake;

    @Override
    public Integer call() {
        CommandLine commandLine = spec.commandLine();
        if (amount != null && !Double.isFinite(amount)) {
            throw new BadValueException(commandLine, "Invalid value for option '--amount': " + amount);
        }
        if (!Double.isFinite(expires)) {
            throw new BadValueException(commandLine, "Invalid value for option '--expires': " + expires);
        }
        ServerFrame.Proposal proposal;
        try (CommandConnection session = signer.open(commandLine, server.url())) {
            proposal = new MarketClient(session.connection()).propose(new MarketClient.Terms(agent, task, amount,
                    currency, paymentCode, terms, expires == 0 ? null : expires, eloStake));
        }
        PrintWriter out = commandLine.getOut();
        out.println("Proposal sent:");
        out.println("  ID: " + proposal.id());
        out.println("  To: " + proposal.to());
        out.println("  Task: " + proposal.task());
        if (truthy(proposal.amount())) {
            out.println("  Amount: " + text(proposal.amount()) + " " + (proposal.currency() == null ? "" : proposal.currency()));
        }
        if (proposal.eloStake() != null && proposal.eloStake() != 0) {
            out.println("  ELO Stake: " + proposal.eloStake());
        }
        if (proposal.expires() != null && proposal.expires() != 0) {
            out.println("  Expires: " + IsoTime.format(proposal.expires()));
        }
        out.println();
        out.println("Use this ID to track responses.");
        return ExitCodes.OK;
    }

    private static boolean truthy(JsonNode value) {
        if (value == null || value.isNull()) {
            return false;
        }
        return value.isNumber() ? value.asDouble() != 0 : !value.asText().isEmpty();
    }

    private static String text(JsonNode value) {
        return value.isNumber() ? JsNumber.format(value.asDouble()) : value.asText();
    }
}
