package io.agentchat.cli;

import io.agentchat.identity.IdentityFile;
import io.agentchat.ledger.RatingsLedger;
import io.agentchat.ledger.ReceiptStore;
import io.agentchat.reputation.Elo;
import io.agentchat.reputation.Rating;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code ratings [agent]} over the <em>local</em> ledger, which every view names as
 * such: it is built from this directory's receipts and is not the server's ledger.
 * Precedence as in the reference: export, recalculate, leaderboard, stats, agent, own rating.
 */
@Command(name = "ratings", mixinStandardHelpOptions = true,
        description = "View and manage the local ELO ratings ledger (built from your receipts).")
final class RatingsCommand implements Callable<Integer> {
    @Spec
    CommandLine.Model.CommandSpec spec;

    @Parameters(index = "0", arity = "0..1", paramLabel = "[agent]", description = "An agent's @id.")
    String agent;

    @Mixin
    OwnIdentityOption identity;

    @Option(names = "--file", paramLabel = "<path>", description = "Ratings file (default: ./.agentchat/ratings.json).")
    Path file;

    @Option(names = {"-e", "--export"}, description = "Print the whole ledger as JSON.")
    boolean export;

    @Option(names = {"-r", "--recalculate"}, description = "Rebuild the ledger from ./.agentchat/receipts.jsonl.")
    boolean recalculate;

    @Option(names = {"-l", "--leaderboard"}, arity = "0..1", fallbackValue = "10", paramLabel = "n",
            description = "Show the top n agents (default: 10).")
    Integer leaderboard;

    @Option(names = {"-s", "--stats"}, description = "Show ledger statistics.")
    boolean stats;

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        Path ratingsFile = file != null ? file : RatingsLedger.defaultPath();
        Clock clock = Clock.systemUTC();
        if (recalculate && !export) {
            return recalculate(out, ratingsFile, clock);
        }
        RatingsLedger ledger = RatingsLedger.load(ratingsFile, clock);
        if (export) {
            out.println(ledger.render());
            return ExitCodes.OK;
        }
        if (leaderboard != null) {
            if (leaderboard < 1) {
                throw new BadValueException(spec.commandLine(), "Invalid value for option '--leaderboard': "
                        + leaderboard + " (must be at least 1)");
            }
            List<Map.Entry<String, Rating>> top = ledger.leaderboard(leaderboard);
            if (top.isEmpty()) {
                out.println("No ratings recorded yet.");
            } else {
                out.println("Top " + top.size() + " agents by rating:");
                out.println();
                for (int i = 0; i < top.size(); i++) {
                    out.println("  " + (i + 1) + ". " + top.get(i).getKey());
                    out.println("     Rating: " + top.get(i).getValue().rating() + " | Transactions: "
                            + top.get(i).getValue().transactions());
                }
            }
            printSource(out, ledger);
            return ExitCodes.OK;
        }
        if (stats) {
            RatingsLedger.Stats s = ledger.stats();
            out.println("Rating System Statistics:");
            out.println("  Total agents: " + s.agents());
            out.println("  Total transactions: " + s.transactions());
            out.println("  Average rating: " + s.average());
            out.println("  Highest rating: " + s.highest());
            out.println("  Lowest rating: " + s.lowest());
            out.println("  Default rating: " + Elo.START);
            out.println();
            out.println("Ratings file: " + ratingsFile + (file == null ? " (local ledger, not the server's ratings)" : ""));
            return ExitCodes.OK;
        }
        if (agent != null) {
            String ref = agent.startsWith("@") ? agent : "@" + agent;
            printRating(out, "Rating for " + ref + ":", ledger.find(ref));
            printSource(out, ledger);
            return ExitCodes.OK;
        }
        String own = ownId();
        if (own == null) {
            printUsage(out, ratingsFile);
            return ExitCodes.OK;
        }
        printRating(out, "Your rating (" + own + "):", ledger.find(own));
        printSource(out, ledger);
        return ExitCodes.OK;
    }

    private int recalculate(PrintWriter out, Path ratingsFile, Clock clock) {
        ReceiptStore store = new ReceiptStore(ReceiptStore.defaultPath(), clock);
        ReceiptStore.Contents contents = store.read();
        if (!contents.corruptLines().isEmpty()) {
            // Recalculating without them would silently drop history; the user must repair the file first.
            throw new IllegalStateException("Corrupt line(s) " + ReceiptsCommand.numbers(contents.corruptLines())
                    + " in receipts file " + store.file() + "; ratings not recalculated");
        }
        out.println("Recalculating ratings from receipt history...");
        int[] skipped = new int[1];
        RatingsLedger ledger = RatingsLedger.update(ratingsFile, clock,
                l -> skipped[0] = l.recalculate(contents.receipts()));
        out.println("Processed " + contents.receipts().size() + " receipts, updated " + ledger.size() + " agents.");
        if (skipped[0] > 0) {
            spec.commandLine().getErr().println("Warning: " + skipped[0] + " receipt(s) without parties were skipped");
        }
        RatingsLedger.Stats s = ledger.stats();
        out.println();
        out.println("Rating Statistics:");
        out.println("  Total agents: " + s.agents());
        out.println("  Average rating: " + s.average());
        out.println("  Highest: " + s.highest());
        out.println("  Lowest: " + s.lowest());
        printSource(out, ledger);
        return ExitCodes.OK;
    }

    /** The identity's {@code @id}; an unusable default identity just means "no own rating", as in the reference. */
    private String ownId() {
        Path path = identity.path();
        if (!identity.given() && !Files.exists(path)) {
            return null;
        }
        return "@" + IdentityFile.load(path).agentId();
    }

    private static void printRating(PrintWriter out, String title, Rating entry) {
        int transactions = entry == null ? 0 : entry.transactions();
        out.println(title);
        out.println("  Rating: " + (entry == null ? Elo.START + " (new agent)" : String.valueOf(entry.rating())));
        out.println("  Transactions: " + transactions);
        if (entry != null && entry.updated() != null) {
            out.println("  Last updated: " + entry.updated());
        }
        out.println("  K-factor: " + Elo.kFactor(transactions));
    }

    /** Names the file; the default one is labelled as local, since it is easily taken for the server's. */
    private void printSource(PrintWriter out, RatingsLedger ledger) {
        out.println();
        out.println(file != null ? "Ratings file: " + ledger.file()
                : "Local ledger: " + ledger.file() + " (from this directory's receipts, not the server's ratings)");
    }

    private static void printUsage(PrintWriter out, Path ratingsFile) {
        out.println("Local ELO reputation ledger");
        out.println();
        out.println("Usage:");
        out.println("  agentchat ratings -i <identity>    your own rating");
        out.println("  agentchat ratings <@agent>         one agent's rating");
        out.println("  agentchat ratings --leaderboard [n]  the n highest rated agents (default 10)");
        out.println("  agentchat ratings --stats          totals, average, highest and lowest");
        out.println("  agentchat ratings --export         the whole ledger as JSON");
        out.println("  agentchat ratings --recalculate    rebuild the ledger from ./.agentchat/receipts.jsonl");
        out.println();
        out.println("Rules (docs/protocol.md, section 9.3, in the source repository):");
        out.println("  - everyone starts at " + Elo.START + " and never drops below " + Elo.FLOOR);
        out.println("  - a completed job raises both parties; a dispute lowers the party at fault");
        out.println("  - K-factor 32 below 30 transactions, 24 below 100, then 16");
        out.println("  - the ledger is local: receipts stored here update it; the server keeps its own ratings");
        out.println();
        out.println("Ratings file: " + ratingsFile);
    }
}
