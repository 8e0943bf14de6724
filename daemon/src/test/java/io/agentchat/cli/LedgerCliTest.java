package io.agentchat.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.agentchat.identity.Identity;
import io.agentchat.identity.IdentityFile;
import io.agentchat.ledger.Ledger;
import io.agentchat.ledger.RatingsLedger;
import io.agentchat.ledger.ReceiptStore;
import io.agentchat.reputation.Rating;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** receipts.jsonl and ratings.json: the reference's files read back, ours written the same way, corruption reported. */
class LedgerCliTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Clock CLOCK = Clock.fixed(Instant.parse("2026-11-25T05:05:50.016Z"), ZoneOffset.UTC);

    @TempDir
    Path dir;

    private static String fixture(String name) throws IOException {
        try (InputStream in = LedgerCliTest.class.getResourceAsStream("/node-fixtures/" + name)) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    private Path copy(String name) throws IOException {
        Path file = dir.resolve(name);
        Files.writeString(file, fixture(name));
        return file;
    }

    @Test
    void theReferencesReceiptsAreListedExportedAndSummarised() throws Exception {
        Path receipts = copy("receipts.jsonl");
        CliRun list = CliRun.run("receipts", "list", "--file", receipts.toString(), "-i", dir.resolve("none.json").toString());
        assertEquals(new CliRun(0, "Found 2 receipt(s):\n\n"
                + "  Proposal: prop_mwvkcart_ce50f497\n    Completed: 2026-11-25T03:27:57.705Z\n    By: @758a32e0\n"
                + "    Proof: tx:abc \u00e9\u2028\n\n"
                + "  Proposal: prop_mwvkd000_00000001\n    Completed: 2026-11-25T03:28:19.999Z\n    By: @55ffc77c\n\n", ""), list);

        CliRun export = CliRun.run("receipts", "export", "--file", receipts.toString(), "-i", dir.resolve("none.json").toString());
        JsonNode exported = JSON.readTree(export.out());
        List<String> lines = fixture("receipts.jsonl").lines().toList();
        assertEquals(JSON.readTree(lines.get(0)), exported.get(0));
        assertEquals(JSON.readTree(lines.get(1)), exported.get(1));

        CliRun yaml = CliRun.run("receipts", "export", "-f", "yaml", "--file", receipts.toString(),
                "-i", dir.resolve("none.json").toString());
        assertTrue(yaml.out().startsWith("receipts:\n  - proposal_id: \"prop_mwvkcart_ce50f497\"\n"
                + "    completed_at: \"2026-11-25T03:27:57.705Z\"\n    completed_by: \"@758a32e0\"\n"), yaml.out());

        CliRun summary = CliRun.run("receipts", "summary", "--file", receipts.toString(), "-i", dir.resolve("none.json").toString());
        assertEquals(new CliRun(0, "Receipt Summary:\n  Total receipts: 2\n"
                + "  Date range: 2026-11-25T03:27:57.705Z to 2026-11-25T03:28:19.999Z\n"
                + "  By currency:\n    (no currency): 2 receipts\n\nReceipts file: " + receipts + "\n", ""), summary);
    }

    @Test
    void weWriteTheSameReceiptBytesAsTheReference() throws Exception {
        String nodeLine = fixture("receipts.jsonl").lines().findFirst().orElseThrow();
        ObjectNode frame = (ObjectNode) JSON.readTree(nodeLine);
        long storedAt = frame.remove("stored_at").asLong();
        Path file = dir.resolve("out").resolve("receipts.jsonl");
        new ReceiptStore(file, Clock.fixed(Instant.ofEpochMilli(storedAt), ZoneOffset.UTC)).append(frame.toString());
        assertEquals(nodeLine + "\n", Files.readString(file));
    }

    @Test
    void theReferencesRatingsFileIsReadAndExportedByteForByte() throws Exception {
        Path ratings = copy("ratings.json");
        CliRun one = CliRun.run("ratings", "@758a32e0", "--file", ratings.toString());
        assertEquals(new CliRun(0, "Rating for @758a32e0:\n  Rating: 1216\n  Transactions: 2\n"
                + "  Last updated: 2026-11-25T05:05:50.016Z\n  K-factor: 32\n\nRatings file: " + ratings + "\n", ""), one);
        assertEquals(new CliRun(0, fixture("ratings.json") + "\n", ""), CliRun.run("ratings", "-e", "--file", ratings.toString()));
        CliRun board = CliRun.run("ratings", "-l", "1", "--file", ratings.toString());
        assertTrue(board.out().startsWith("Top 1 agents by rating:\n\n  1. @758a32e0\n     Rating: 1216 | Transactions: 2\n"),
                board.out());
        CliRun stats = CliRun.run("ratings", "--stats", "--file", ratings.toString());
        assertTrue(stats.out().startsWith("Rating System Statistics:\n  Total agents: 2\n  Total transactions: 4\n"
                + "  Average rating: 1216\n  Highest rating: 1216\n  Lowest rating: 1216\n  Default rating: 1200\n"), stats.out());
        assertEquals(new CliRun(0, "Rating for @nobody00:\n  Rating: 1200 (new agent)\n  Transactions: 0\n  K-factor: 32\n\n"
                + "Ratings file: " + ratings + "\n", ""),
                CliRun.run("ratings", "nobody00", "--file", ratings.toString()));
    }

    @Test
    void theLedgerTakesTheServersNumbersAndFallsBackToTheFormula() throws Exception {
        List<String> lines = fixture("receipts.jsonl").lines().toList();
        Path ratings = dir.resolve("ratings.json");
        RatingsLedger ledger = RatingsLedger.update(ratings, CLOCK, l -> {
            // Receipt 1 carries the server's rating_changes (amount-weighted): 1214, transactions 1.
            assertTrue(l.apply(read(lines.get(0))));
            // Receipt 2 has none: the formula without an amount, 1214 vs 1214, K 32: full = round(32 * 0.5) = 16, gain 8.
            assertTrue(l.apply(read(lines.get(1))));
        });
        assertEquals(new Rating(1222, 2, "2026-11-25T05:05:50.016Z"), ledger.find("@758a32e0"));
        RatingsLedger fresh = RatingsLedger.load(ratings, CLOCK);
        assertEquals(1, fresh.recalculate(List.of(read("{\"type\":\"COMPLETE\"}"), read(lines.get(1)))), "one skipped");
        // Only the formula now: 1200/1200, no amount → +8 each, as the reference daemon computes (its `ratings` shows 1208).
        assertEquals(1208, fresh.find("@55ffc77c").rating());
        assertTrue(Files.readString(ratings).startsWith("{\n  \"@758a32e0\": {\n    \"rating\": 1222,\n"));
    }

    @Test
    void theDaemonsRecordCompletionStoresOnlyOurReceiptsAndUpdatesTheLedger() throws Exception {
        String frame = fixture("receipts.jsonl").lines().findFirst().orElseThrow();
        Path receipts = dir.resolve("r.jsonl");
        Path ratings = dir.resolve("ratings.json");
        Ledger ledger = new Ledger(receipts, ratings, CLOCK);
        assertFalse(ledger.recordCompletion(frame, "@12345678"));
        assertFalse(Files.exists(receipts));
        assertTrue(ledger.recordCompletion(frame, "@55ffc77c"));
        assertEquals(1, new ReceiptStore(receipts, CLOCK).read().receipts().size());
        assertEquals(1214, RatingsLedger.load(ratings, CLOCK).find("@55ffc77c").rating());

        Files.writeString(ratings, "{bad");
        assertTrue(ledger.recordCompletion(frame, "@55ffc77c"), "the receipt is kept even if the ledger is corrupt");
        assertEquals("{bad", Files.readString(ratings), "a corrupt ledger is never overwritten");
        assertEquals(2, new ReceiptStore(receipts, CLOCK).read().receipts().size());
    }

    @Test
    void corruptLinesAndFilesAreReportedWithLineNumbersAndLeftAlone() throws Exception {
        List<String> lines = fixture("receipts.jsonl").lines().toList();
        Path receipts = dir.resolve("receipts.jsonl");
        String content = lines.get(0) + "\n{\"type\":\"COMPL\n\n" + lines.get(1) + "\n42\n";
        Files.writeString(receipts, content);
        CliRun list = CliRun.run("receipts", "list", "--file", receipts.toString(), "-i", dir.resolve("none.json").toString());
        assertEquals(1, list.rc());
        assertTrue(list.out().startsWith("Found 2 receipt(s):"), list.out());
        assertEquals("Error: Corrupt line(s) 2, 5 in receipts file " + receipts.toAbsolutePath()
                + " (skipped; the file was not changed)\n", list.err());
        assertEquals(content, Files.readString(receipts));

        Path ratings = dir.resolve("ratings.json");
        Files.writeString(ratings, "{\n  \"@a\": {\"rating\": \"x\"}\n}");
        assertEquals(new CliRun(1, "", "Error: Corrupt ratings file (entry @a has an invalid rating): " + ratings.toAbsolutePath() + "\n"),
                CliRun.run("ratings", "--stats", "--file", ratings.toString()));
        Files.writeString(ratings, "{bad");
        assertEquals(new CliRun(1, "", "Error: Corrupt ratings file (invalid JSON at line 1, column 2): "
                + ratings.toAbsolutePath() + "\n"), CliRun.run("ratings", "a", "--file", ratings.toString()));
        assertEquals("{bad", Files.readString(ratings));
    }

    @Test
    void receiptsExportIsFilteredToTheIdentity() throws Exception {
        Identity me = Identity.generate("me", CLOCK);
        Path id = dir.resolve("me.json");
        IdentityFile.save(id, me, false);
        Path receipts = dir.resolve("receipts.jsonl");
        ReceiptStore store = new ReceiptStore(receipts, CLOCK);
        String mine = "{\"type\":\"COMPLETE\",\"proposal_id\":\"prop_a\",\"from\":\"@" + me.agentId()
                + "\",\"to\":\"@other001\",\"completed_by\":\"@other001\",\"completed_at\":1795577277705}";
        store.append(mine);
        store.append("{\"type\":\"COMPLETE\",\"proposal_id\":\"prop_b\",\"from\":\"@x\",\"to\":\"@y\"}");
        CliRun export = CliRun.run("receipts", "export", "--file", receipts.toString(), "-i", id.toString());
        JsonNode exported = JSON.readTree(export.out());
        assertEquals(1, exported.size());
        assertEquals("prop_a", exported.get(0).get("proposal_id").asText());
        CliRun summary = CliRun.run("receipts", "summary", "--file", receipts.toString(), "-i", id.toString());
        assertTrue(summary.out().contains("  Counterparties (1):\n    - @other001\n"), summary.out());
        assertTrue(summary.out().endsWith("Filtered for agent: @" + me.agentId() + "\n"), summary.out());
        CliRun help = CliRun.run("receipts");
        assertEquals(0, help.rc());
        assertTrue(help.out().endsWith("Receipts are stored in: " + ReceiptStore.defaultPath() + "\n"), help.out());
    }

    private static JsonNode read(String json) {
        try {
            return JSON.readTree(json);
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }
}
