package io.agentchat.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.agentchat.identity.IdentityFile;
import io.agentchat.json.JsNumber;
import io.agentchat.json.JsStringify;
import io.agentchat.ledger.ReceiptStore;
import io.agentchat.json.IsoTime;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.stream.Collectors;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code receipts [list|export|summary]}, with the original's output, over {@code ./.agentchat/receipts.jsonl}.
 * Corrupt lines are not dropped silently: the good receipts are shown, then one
 * {@code Error:} line names the file and the line numbers, and the exit code is 1. The YAML export
 * quotes its values, so it is valid YAML (the reference's {@code completed_by: @x} is not).
 */
@Command(name = "receipts", mixinStandardHelpOptions = true,
        description = "Show and export the completion receipts stored in this directory.")
final class ReceiptsCommand implements Callable<Integer> {
    @Spec
    CommandLine.Model.CommandSpec spec;

    @Parameters(index = "0", arity = "0..1", paramLabel = "[action]", description = "list, export or summary.")
    String action;

    @Option(names = {"-f", "--format"}, paramLabel = "<format>", defaultValue = "json",
            description = "Export format: json (default) or yaml.")
    String format;

    @Option(names = {"-i", "--identity"}, paramLabel = "<file>",
            description = "Identity whose receipts export and summary show (default: ./.agentchat/identity.json if present).")
    Path identity;

    @Option(names = "--file", paramLabel = "<path>", description = "Receipts file (default: ./.agentchat/receipts.jsonl).")
    Path file;

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        Path path = file != null ? file : ReceiptStore.defaultPath();
        if (!"list".equals(action) && !"export".equals(action) && !"summary".equals(action)) {
            printUsage(out);
            return ExitCodes.OK;
        }
        ReceiptStore.Contents contents = new ReceiptStore(path, Clock.systemUTC()).read();
        String self = ownId();
        List<ObjectNode> mine = self == null ? contents.receipts()
                : contents.receipts().stream().filter(r -> ReceiptStore.involves(r, self)).toList();
        switch (action) {
            case "list" -> list(out, contents.receipts(), path);
            case "export" -> out.println("yaml".equals(format) ? yaml(mine)
                    : JsStringify.pretty(JsonNodeFactory.instance.arrayNode().addAll(mine)));
            default -> summary(out, mine, self, path);
        }
        if (!contents.corruptLines().isEmpty()) {
            spec.commandLine().getErr().println("Error: Corrupt line(s) " + numbers(contents.corruptLines())
                    + " in receipts file " + path.toAbsolutePath() + " (skipped; the file was not changed)");
            return ExitCodes.FAILURE;
        }
        return ExitCodes.OK;
    }

    /** {@code 3, 7, 9}, at most 20 numbers. */
    static String numbers(List<Integer> lines) {
        String shown = lines.stream().limit(20).map(String::valueOf).collect(Collectors.joining(", "));
        return lines.size() > 20 ? shown + " and " + (lines.size() - 20) + " more" : shown;
    }

    private static void list(PrintWriter out, List<ObjectNode> receipts, Path path) {
        if (receipts.isEmpty()) {
            out.println("No receipts found.");
            out.println();
            out.println("Receipts are stored in: " + path);
            out.println("Receipts are automatically saved when COMPLETE messages are received via daemon.");
            return;
        }
        out.println("Found " + receipts.size() + " receipt(s):");
        out.println();
        for (ObjectNode r : receipts) {
            out.println("  Proposal: " + text(r, "proposal_id", "unknown"));
            out.println("    Completed: " + time(r.get("completed_at")));
            out.println("    By: " + text(r, "completed_by", "unknown"));
            if (truthy(r.get("proof"))) {
                out.println("    Proof: " + plain(r.get("proof")));
            }
            JsonNode proposal = r.path("proposal");
            if (truthy(proposal.get("task"))) {
                out.println("    Task: " + plain(proposal.get("task")));
            }
            if (truthy(proposal.get("amount"))) {
                out.println("    Amount: " + plain(proposal.get("amount")) + " "
                        + (truthy(proposal.get("currency")) ? plain(proposal.get("currency")) : ""));
            }
            out.println();
        }
    }

    private static String yaml(List<ObjectNode> receipts) {
        StringBuilder yaml = new StringBuilder("receipts:\n");
        for (ObjectNode r : receipts) {
            yaml.append("  - proposal_id: ").append(JsStringify.quote(text(r, "proposal_id", "unknown"))).append('\n');
            yaml.append("    completed_at: ").append(JsStringify.quote(time(r.get("completed_at")))).append('\n');
            yaml.append("    completed_by: ").append(JsStringify.quote(text(r, "completed_by", "unknown"))).append('\n');
            if (truthy(r.get("proof"))) {
                yaml.append("    proof: ").append(JsStringify.quote(plain(r.get("proof")))).append('\n');
            }
            JsonNode proposal = r.path("proposal");
            if (proposal.isObject()) {
                yaml.append("    proposal:\n");
                for (String key : List.of("from", "to", "task")) {
                    yaml.append("      ").append(key).append(": ").append(JsStringify.quote(plain(proposal.get(key)))).append('\n');
                }
                if (truthy(proposal.get("amount"))) {
                    yaml.append("      amount: ").append(plain(proposal.get("amount"))).append('\n');
                }
                if (truthy(proposal.get("currency"))) {
                    yaml.append("      currency: ").append(JsStringify.quote(plain(proposal.get("currency")))).append('\n');
                }
            }
            yaml.append('\n');
        }
        return yaml.toString();
    }

    private static void summary(PrintWriter out, List<ObjectNode> receipts, String self, Path path) {
        out.println("Receipt Summary:");
        out.println("  Total receipts: " + receipts.size());
        if (!receipts.isEmpty()) {
            List<Double> times = new ArrayList<>();
            Set<String> counterparties = new LinkedHashSet<>();
            Map<String, double[]> currencies = new LinkedHashMap<>();
            for (ObjectNode r : receipts) {
                for (String key : List.of("completed_at", "ts", "stored_at")) {
                    if (truthy(r.get(key)) && r.get(key).isNumber()) {
                        times.add(r.get(key).asDouble());
                        break;
                    }
                }
                if (self != null) {
                    for (JsonNode holder : List.of(r, r.path("proposal"))) {
                        for (String key : List.of("from", "to")) {
                            String party = holder.path(key).asText("");
                            if (!party.isEmpty() && !party.equals(self)) {
                                counterparties.add(party);
                            }
                        }
                    }
                }
                String currency = firstTruthy(r.path("proposal").get("currency"), r.get("currency"));
                JsonNode amount = r.path("proposal").get("amount") != null && truthy(r.path("proposal").get("amount"))
                        ? r.path("proposal").get("amount") : r.get("amount");
                double[] totals = currencies.computeIfAbsent(currency == null ? "unknown" : currency, k -> new double[2]);
                totals[0]++;
                totals[1] += amount != null && amount.isNumber() ? amount.asDouble() : 0;
            }
            if (!times.isEmpty()) {
                times.sort(Double::compare);
                out.println("  Date range: " + IsoTime.format(times.get(0).longValue()) + " to "
                        + IsoTime.format(times.get(times.size() - 1).longValue()));
            }
            if (!counterparties.isEmpty()) {
                out.println("  Counterparties (" + counterparties.size() + "):");
                counterparties.forEach(c -> out.println("    - " + c));
            }
            out.println("  By currency:");
            currencies.forEach((currency, totals) -> out.println("unknown".equals(currency)
                    ? "    (no currency): " + (long) totals[0] + " receipts"
                    : "    " + currency + ": " + (long) totals[0] + " receipts, " + JsNumber.format(totals[1]) + " total"));
        }
        out.println();
        out.println("Receipts file: " + path);
        if (self != null) {
            out.println("Filtered for agent: " + self);
        }
    }

    private void printUsage(PrintWriter out) {
        out.println("Completion receipts (proof of finished work, kept by the daemon):");
        out.println();
        out.println("  agentchat receipts list       every stored receipt");
        out.println("  agentchat receipts export     your receipts as JSON, or YAML with --format yaml");
        out.println("  agentchat receipts summary    counts, dates, counterparties and currencies");
        out.println();
        out.println("Options: --format <json|yaml>, --identity <file> (whose receipts), --file <path>");
        out.println();
        out.println("Receipts are stored in: " + ReceiptStore.defaultPath());
    }

    /** Our {@code @id} for filtering; no usable identity means "all receipts", as in the reference. */
    private String ownId() {
        Path path = identity != null ? identity : OwnIdentityOption.defaultPath();
        if (!Files.exists(path)) {
            return null;
        }
        try {
            return "@" + IdentityFile.load(path).agentId();
        } catch (RuntimeException e) {
            spec.commandLine().getErr().println("Warning: showing all receipts: " + e.getMessage());
            return null;
        }
    }

    private static String time(JsonNode value) {
        return value != null && value.isNumber() && value.asDouble() != 0 ? IsoTime.format(value.asLong()) : "unknown";
    }

    private static String text(JsonNode r, String key, String otherwise) {
        return truthy(r.get(key)) ? plain(r.get(key)) : otherwise;
    }

    private static String firstTruthy(JsonNode first, JsonNode second) {
        return truthy(first) ? plain(first) : truthy(second) ? plain(second) : null;
    }

    private static boolean truthy(JsonNode value) {
        if (value == null || value.isNull() || value.isMissingNode()) {
            return false;
        }
        if (value.isNumber()) {
            return value.asDouble() != 0;
        }
        return !value.isTextual() || !value.asText().isEmpty();
    }

    private static String plain(JsonNode value) {
        if (value == null || value.isNull() || value.isMissingNode()) {
            return value == null || value.isMissingNode() ? "undefined" : "null";
        }
        return value.isNumber() ? JsNumber.format(value.asDouble()) : value.isTextual() ? value.asText()
                : JsStringify.compact(value);
    }
}
