package io.agentchat.ledger;

import com.fasterxml.jackson.databind.JsonNode;
import io.agentchat.reputation.AtomicFile;
import io.agentchat.reputation.Elo;
import io.agentchat.json.IsoTime;
import io.agentchat.reputation.Rating;
import io.agentchat.reputation.RatingsFormat;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The <em>local</em> ratings ledger, {@code <cwd>/.agentchat/ratings.json}: what this machine has
 * learned from the receipts it stored, in the same file format as the server's store
 * ({@link RatingsFormat}). It is not the server's ledger, and the CLI labels it so.
 *
 * <p>Where a receipt carries the server's {@code rating_changes}, the ledger takes the server's
 * numbers (which know the amount and the stakes), so the two ledgers agree; otherwise it applies
 * the same rules ({@link Elo}) without an amount, as the reference daemon does.
 * A corrupt file is an error naming the file and is never overwritten; writes are atomic and run
 * under a file lock ({@link #update}).
 */
public final class RatingsLedger {
    public static final String FILE_NAME = "ratings.json";
    /** Entries a ledger file may hold; larger files are refused. */
    static final int MAX_AGENTS = 1_000_000;

    /** Figures over the whole ledger (the reference's {@code getStats}). */
    public record Stats(int agents, long transactions, int average, int highest, int lowest) {
    }

    private final Path file;
    private final Clock clock;
    private final Map<String, Rating> ratings;

    private RatingsLedger(Path file, Clock clock, Map<String, Rating> ratings) {
        this.file = file;
        this.clock = clock;
        this.ratings = ratings;
    }

    /** {@code <cwd>/.agentchat/ratings.json}, the reference's fixed default. */
    public static Path defaultPath() {
        return Path.of("").toAbsolutePath().resolve(".agentchat").resolve(FILE_NAME);
    }

    /** Reads the ledger; a missing file is an empty ledger. */
    public static RatingsLedger load(Path file, Clock clock) {
        return new RatingsLedger(file, clock, parse(file));
    }

    /** Loads, changes and saves the ledger under its file lock, so concurrent writers do not lose updates. */
    public static RatingsLedger update(Path file, Clock clock, java.util.function.Consumer<RatingsLedger> change) {
        try (FileLock lock = FileLock.acquire(file)) {
            RatingsLedger ledger = load(file, clock);
            change.accept(ledger);
            ledger.save();
            return ledger;
        }
    }

    public Path file() {
        return file;
    }

    public boolean isEmpty() {
        return ratings.isEmpty();
    }

    /** The agent's entry, or null if the ledger has never seen it. */
    public Rating find(String agentRef) {
        return ratings.get(agentRef);
    }

    /** Highest rating first; ties keep file order, as JavaScript's stable sort does. */
    public List<Map.Entry<String, Rating>> leaderboard(int limit) {
        List<Map.Entry<String, Rating>> entries = new ArrayList<>(ratings.entrySet());
        entries.sort(Comparator.comparingInt((Map.Entry<String, Rating> e) -> e.getValue().rating()).reversed());
        return List.copyOf(entries.subList(0, Math.min(limit, entries.size())));
    }

    public Stats stats() {
        if (ratings.isEmpty()) {
            return new Stats(0, 0, Elo.START, Elo.START, Elo.START);
        }
        long sum = 0;
        long transactions = 0;
        int highest = Integer.MIN_VALUE;
        int lowest = Integer.MAX_VALUE;
        for (Rating e : ratings.values()) {
            sum += e.rating();
            transactions += e.transactions();
            highest = Math.max(highest, e.rating());
            lowest = Math.min(lowest, e.rating());
        }
        return new Stats(ratings.size(), transactions, (int) Math.round((double) sum / ratings.size()), highest, lowest);
    }

    /** {@code JSON.stringify(ratings, null, 2)}: the file's content and {@code ratings --export}. */
    public String render() {
        return RatingsFormat.render(ratings);
    }

    /**
     * Applies one COMPLETE or DISPUTE receipt (other types are ignored).
     *
     * @return whether the ledger changed
     * @throws IllegalArgumentException if the receipt names no parties
     */
    public boolean apply(JsonNode receipt) {
        String type = firstText(receipt, "type", "status");
        boolean completion = "COMPLETE".equals(type) || "completed".equals(type);
        boolean dispute = "DISPUTE".equals(type) || "disputed".equals(type);
        if (!completion && !dispute) {
            return false;
        }
        JsonNode proposal = receipt.path("proposal");
        String proposer = orElse(ReceiptStore.text(proposal, "from"), ReceiptStore.text(receipt, "from"));
        String acceptor = orElse(ReceiptStore.text(proposal, "to"), ReceiptStore.text(receipt, "to"));
        if (proposer == null || acceptor == null) {
            throw new IllegalArgumentException("Receipt missing party information");
        }
        String now = IsoTime.format(clock.millis());
        Rating fromServer1 = serverEntry(receipt, proposer, now);
        Rating fromServer2 = serverEntry(receipt, acceptor, now);
        if (fromServer1 != null && fromServer2 != null) {
            put(proposer, fromServer1);
            put(acceptor, fromServer2);
            return true;
        }
        Rating e1 = ratings.getOrDefault(proposer, Rating.NEW);
        Rating e2 = ratings.getOrDefault(acceptor, Rating.NEW);
        Elo.Party p1 = new Elo.Party(e1.rating(), e1.transactions());
        Elo.Party p2 = new Elo.Party(e2.rating(), e2.transactions());
        Double amount = amount(receipt);
        int change1;
        int change2;
        if (completion) {
            Elo.Outcome outcome = Elo.completion(p1, p2, amount);
            change1 = outcome.proposer().change();
            change2 = outcome.acceptor().change();
        } else {
            String disputedBy = ReceiptStore.text(receipt, "disputed_by");
            if (disputedBy != null) {
                Elo.Outcome outcome = Elo.dispute(p1, p2, disputedBy.equals(proposer), amount, 0);
                change1 = outcome.proposer().change();
                change2 = outcome.acceptor().change();
            } else {
                // Mutual fault: the reference's branch for receipts without disputed_by.
                change1 = -mutualLoss(p1, p2, amount);
                change2 = -mutualLoss(p2, p1, amount);
            }
        }
        // Read e2 again: a self-dealt receipt (both parties one agent) updates the same entry twice, as the reference does.
        put(proposer, new Rating(Math.max(Elo.FLOOR, e1.rating() + change1), e1.transactions() + 1, now));
        Rating again = ratings.getOrDefault(acceptor, e2);
        put(acceptor, new Rating(Math.max(Elo.FLOOR, again.rating() + change2), again.transactions() + 1, now));
        return true;
    }

    /**
     * Rebuilds the ledger from receipts, oldest first (by {@code completed_at}, {@code disputed_at},
     * {@code stored_at}). Receipts that cannot be applied are skipped and counted.
     *
     * @return how many receipts were skipped
     */
    public int recalculate(List<? extends JsonNode> receipts) {
        ratings.clear();
        List<JsonNode> sorted = new ArrayList<>(receipts);
        sorted.sort(Comparator.comparingDouble(RatingsLedger::when));
        int skipped = 0;
        for (JsonNode receipt : sorted) {
            try {
                apply(receipt);
            } catch (IllegalArgumentException | IllegalStateException e) {
                skipped++;
            }
        }
        return skipped;
    }

    public int size() {
        return ratings.size();
    }

    /** Writes the ledger atomically (temp file, fsync, rename; mode 0600). Prefer {@link #update}. */
    public void save() {
        try {
            AtomicFile.write(file, render().getBytes(StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new LedgerFileException(file, "Cannot write ratings file (" + e.getMessage() + ")");
        }
    }

    private void put(String agentRef, Rating entry) {
        if (!ratings.containsKey(agentRef) && ratings.size() >= MAX_AGENTS) {
            throw new IllegalStateException("ratings ledger is full (" + MAX_AGENTS + " agents)");
        }
        ratings.put(agentRef, entry);
    }

    private static int mutualLoss(Elo.Party self, Elo.Party other, Double amount) {
        return (int) Math.max(1, Math.round(Elo.kFactor(self.transactions()) * Elo.weight(amount)
                * Elo.expected(self.rating(), other.rating())));
    }

    /** The server's result for {@code agentRef} from {@code rating_changes}, if it has a usable one. */
    private static Rating serverEntry(JsonNode receipt, String agentRef, String now) {
        JsonNode change = receipt.path("rating_changes").path(agentRef);
        JsonNode rating = change.get("newRating");
        JsonNode transactions = change.get("transactions");
        if (rating == null || transactions == null || !rating.canConvertToInt() || !transactions.canConvertToInt()
                || !rating.isIntegralNumber() || !transactions.isIntegralNumber()) {
            return null;
        }
        return new Rating(Math.max(Elo.FLOOR, rating.asInt()), Math.max(0, transactions.asInt()), now);
    }

    /** The proposal's amount if the receipt knows it; only finite positive numbers count (never NaN). */
    private static Double amount(JsonNode receipt) {
        for (JsonNode value : new JsonNode[] {receipt.path("proposal").get("amount"), receipt.get("amount")}) {
            if (value != null && value.isNumber() && Double.isFinite(value.asDouble()) && value.asDouble() > 0) {
                return value.asDouble();
            }
        }
        return null;
    }

    private static double when(JsonNode receipt) {
        for (String key : new String[] {"completed_at", "disputed_at", "stored_at"}) {
            JsonNode value = receipt.get(key);
            if (value != null && value.isNumber() && value.asDouble() != 0) {
                return value.asDouble();
            }
        }
        return 0;
    }

    private static String firstText(JsonNode node, String first, String second) {
        String value = ReceiptStore.text(node, first);
        return value != null && !value.isEmpty() ? value : ReceiptStore.text(node, second);
    }

    private static String orElse(String first, String second) {
        return first != null && !first.isEmpty() ? first : second;
    }

    private static Map<String, Rating> parse(Path file) {
        String text;
        try {
            text = Files.readString(file, StandardCharsets.UTF_8);
        } catch (NoSuchFileException e) {
            return new LinkedHashMap<>();
        } catch (IOException e) {
            throw new LedgerFileException(file, "Cannot read ratings file (" + e.getMessage() + ")");
        }
        Map<String, Rating> parsed;
        try {
            parsed = RatingsFormat.parse(text);
        } catch (IllegalArgumentException e) {
            throw new LedgerFileException(file, "Corrupt ratings file (" + e.getMessage() + ")");
        }
        if (parsed.size() > MAX_AGENTS) {
            throw new LedgerFileException(file, "Corrupt ratings file (more than " + MAX_AGENTS + " agents)");
        }
        return new LinkedHashMap<>(parsed);
    }
}
