package io.agentchat.daemon;

import static java.util.concurrent.TimeUnit.SECONDS;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

@Timeout(value = 120, unit = TimeUnit.SECONDS)
class OutboxTailerTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path home;

    static OutboxTailer.Config fast() {
        return new OutboxTailer.Config(Duration.ofMillis(200), Duration.ofMillis(5), Duration.ofSeconds(10),
                Duration.ofMillis(50), 4096, 64 * 1024, 1024, Duration.ofMillis(300), 1L << 30);
    }

    static String line(String to, String content) {
        return "{\"to\":\"" + to + "\",\"content\":\"" + content + "\"}\n";
    }

    static void append(Path file, String text) throws IOException {
        Files.write(file, text.getBytes(StandardCharsets.UTF_8), StandardOpenOption.CREATE,
                StandardOpenOption.WRITE, StandardOpenOption.APPEND);
    }

    private OutboxTailer tailer(PersonaPaths paths, LineSender sender) throws IOException {
        return new OutboxTailer(paths, sender, Pacer.unlimited(Clock.systemUTC()), Clock.systemUTC(), fast()).start();
    }

    @Test
    void fourConcurrentWritersEveryLineExactlyOnceInPerWriterOrder() throws Exception {
        PersonaPaths paths = PersonaPaths.of(home, "alice").createDirectories();
        RecordingSender sender = new RecordingSender();
        int writers = 4;
        int perWriter = 1000;
        CountDownLatch gate = new CountDownLatch(1);
        AtomicReference<Throwable> failure = new AtomicReference<>();
        List<Thread> threads = new ArrayList<>();
        try (OutboxTailer tailer = tailer(paths, sender);
                OutboxWatcher watcher = OutboxWatcher.start(paths, tailer::wake)) {
            for (int w = 0; w < writers; w++) {
                int id = w;
                Thread t = new Thread(() -> {
                    try {
                        gate.await();
                        if (id % 2 == 0) {
                            // open, append, close per line: the way echo >> and chat.py send write
                            for (int i = 0; i < perWriter; i++) {
                                append(paths.outbox(), line("#general", "W" + id + "-" + i));
                            }
                        } else {
                            // one descriptor held for the whole run: survives compaction renames
                            try (FileChannel ch = FileChannel.open(paths.outbox(), StandardOpenOption.CREATE,
                                    StandardOpenOption.WRITE, StandardOpenOption.APPEND)) {
                                for (int i = 0; i < perWriter; i++) {
                                    ch.write(ByteBuffer.wrap(line("#general", "W" + id + "-" + i)
                                            .getBytes(StandardCharsets.UTF_8)));
                                }
                            }
                        }
                    } catch (Throwable e) {
                        failure.set(e);
                    }
                }, "test-writer-" + w);
                threads.add(t);
                t.start();
            }
            gate.countDown();
            await().atMost(90, SECONDS).pollInterval(Duration.ofMillis(50))
                    .until(() -> sender.acceptedContents().size() >= writers * perWriter);
            for (Thread t : threads) {
                t.join(10_000);
            }
            // 4000 lines of ~40 bytes against a 4 KiB compaction threshold: renames happened while
            // writers (two of them holding their descriptor) kept appending.
            assertTrue(tailer.compactions() > 0, "no compaction happened");
        }
        assertEquals(null, failure.get());
        List<String> got = sender.acceptedContents();
        assertEquals(writers * perWriter, got.size(), "lines lost or duplicated");
        for (int w = 0; w < writers; w++) {
            String prefix = "W" + w + "-";
            List<String> mine = got.stream().filter(c -> c.startsWith(prefix)).toList();
            List<String> expected = IntStream.range(0, perWriter).mapToObj(i -> prefix + i).toList();
            assertEquals(expected, mine, "writer " + w + " out of order or incomplete");
        }
        assertFalse(Files.exists(paths.outboxRejected()));
    }

    @Test
    void aHalfLineIsSentOnceWholeWhenItsNewlineArrives() throws Exception {
        PersonaPaths paths = PersonaPaths.of(home, "alice").createDirectories();
        RecordingSender sender = new RecordingSender();
        try (OutboxTailer tailer = tailer(paths, sender)) {
            append(paths.outbox(), line("#general", "before"));
            await().atMost(5, SECONDS).until(() -> sender.acceptedContents().size() == 1);
            append(paths.outbox(), "{\"to\":\"#general\",\"content\":\"half");
            long seen = tailer.passes();
            tailer.wake();
            await().atMost(5, SECONDS).until(() -> tailer.passes() >= seen + 2);
            assertEquals(List.of("before"), sender.attemptContents());
            append(paths.outbox(), " line done\"}\n");
            tailer.wake();
            await().atMost(5, SECONDS).until(() -> sender.acceptedContents().size() == 2);
        }
        assertEquals(List.of("before", "half line done"), sender.attemptContents());
        assertFalse(Files.exists(paths.outboxRejected()));
    }

    @Test
    void invalidLinesAreSetAsideWithAReasonAndLaterLinesStillFlow() throws Exception {
        PersonaPaths paths = PersonaPaths.of(home, "alice").createDirectories();
        List<String> bad = List.of("not json at all", "{\"to\":\"#general\"}", "{\"to\":\"#general\",\"content\":5}",
                "{\"to\":\"general\",\"content\":\"x\"}", "{\"to\":\"#general\",\"content\":\"\"}", "[1,2]",
                "{\"to\":\"#general\",\"content\":\"x\"} trailing", "{\"to\":\"#general\",\"content\":\"a\"}{}",
                "{\"content\":\"" + "y".repeat(2000) + "\",\"to\":\"#general\"}");
        StringBuilder text = new StringBuilder(line("#general", "first"));
        bad.forEach(b -> text.append(b).append('\n'));
        text.append("\n").append(line("@agent1", "last"));
        append(paths.outbox(), text.toString());
        RecordingSender sender = new RecordingSender();
        try (OutboxTailer tailer = tailer(paths, sender)) {
            await().atMost(5, SECONDS).until(() -> sender.acceptedContents().size() == 2);
            assertEquals(bad.size(), tailer.linesRejected());
        }
        assertEquals(List.of("first", "last"), sender.acceptedContents());
        List<String> rejects = Files.readAllLines(paths.outboxRejected());
        assertEquals(bad.size(), rejects.size());
        for (int i = 0; i < bad.size(); i++) {
            JsonNode entry = JSON.readTree(rejects.get(i));
            assertTrue(entry.get("reason").asText().length() > 3, rejects.get(i));
            assertTrue(entry.get("ts").asLong() > 0);
            if (i < bad.size() - 1) {
                assertEquals(bad.get(i), entry.get("line").asText());
            } else {
                assertTrue(entry.get("reason").asText().contains("longer than"), rejects.get(i));
            }
        }
        assertTrue(JSON.readTree(rejects.get(0)).get("reason").asText().startsWith("not valid JSON"));
    }

    @Test
    void aPermanentServerRejectionGoesToTheRejectsFileAndTheNextLineFollows() throws Exception {
        PersonaPaths paths = PersonaPaths.of(home, "alice").createDirectories();
        RecordingSender sender = new RecordingSender(m -> CompletableFuture.completedFuture(
                m.to().equals("#nosuch") ? SendOutcome.rejected("Channel #nosuch not found") : SendOutcome.accepted()));
        append(paths.outbox(), line("#nosuch", "a") + line("#general", "b"));
        try (OutboxTailer tailer = tailer(paths, sender)) {
            await().atMost(5, SECONDS).until(() -> sender.acceptedContents().size() == 1);
        }
        JsonNode entry = JSON.readTree(Files.readAllLines(paths.outboxRejected()).get(0));
        assertEquals("server: Channel #nosuch not found", entry.get("reason").asText());
        assertEquals(line("#nosuch", "a").strip(), entry.get("line").asText());
    }

    @Test
    void anOutcomeThatNeverComesIsCancelledAtTheSendTimeoutAndTheLineRetried() throws Exception {
        PersonaPaths paths = PersonaPaths.of(home, "alice").createDirectories();
        List<CompletableFuture<SendOutcome>> handed = new CopyOnWriteArrayList<>();
        LineSender sender = m -> {
            CompletableFuture<SendOutcome> outcome = handed.isEmpty()
                    ? new CompletableFuture<>() : CompletableFuture.completedFuture(SendOutcome.accepted());
            handed.add(outcome);
            return outcome;
        };
        OutboxTailer.Config config = new OutboxTailer.Config(Duration.ofMillis(200), Duration.ofMillis(5),
                Duration.ofMillis(300), Duration.ofMillis(50), 4096, 64 * 1024, 1024, Duration.ofMillis(300), 1L << 30);
        append(paths.outbox(), line("#general", "once"));
        try (OutboxTailer tailer = new OutboxTailer(paths, sender, Pacer.unlimited(Clock.systemUTC()),
                Clock.systemUTC(), config).start()) {
            await().atMost(5, SECONDS).until(() -> tailer.linesAccepted() == 1);
        }
        assertTrue(handed.get(0).isCancelled(), "the sender is told the line was given up");
        assertEquals(2, handed.size());
    }

    @Test
    void retryLaterRetriesTheSameLineAndKeepsOrder() throws Exception {
        PersonaPaths paths = PersonaPaths.of(home, "alice").createDirectories();
        AtomicInteger calls = new AtomicInteger();
        RecordingSender sender = new RecordingSender(m -> CompletableFuture.completedFuture(
                calls.incrementAndGet() % 3 != 0 ? SendOutcome.retryLater("RATE_LIMITED") : SendOutcome.accepted()));
        StringBuilder text = new StringBuilder();
        for (int i = 0; i < 20; i++) {
            text.append(line("#general", "r" + i));
        }
        append(paths.outbox(), text.toString());
        try (OutboxTailer tailer = tailer(paths, sender)) {
            await().atMost(10, SECONDS).until(() -> sender.acceptedContents().size() == 20);
        }
        assertEquals(IntStream.range(0, 20).mapToObj(i -> "r" + i).toList(), sender.acceptedContents());
        List<String> attempts = sender.attemptContents();
        assertEquals(60, attempts.size());
        for (int i = 0; i < attempts.size(); i++) {
            assertEquals("r" + (i / 3), attempts.get(i), "attempt " + i);
        }
    }

    @Test
    void restartFromTheCheckpointNeitherLosesNorResends() throws Exception {
        PersonaPaths paths = PersonaPaths.of(home, "alice").createDirectories();
        RecordingSender first = new RecordingSender();
        StringBuilder text = new StringBuilder();
        for (int i = 0; i < 200; i++) {
            text.append(line("#general", "a" + i)); // ~40 bytes each: several compactions at 4 KiB
        }
        append(paths.outbox(), text.toString());
        try (OutboxTailer tailer = tailer(paths, first)) {
            await().atMost(10, SECONDS).until(() -> first.acceptedContents().size() == 200);
        }
        append(paths.outbox(), line("#general", "after-restart"));
        RecordingSender second = new RecordingSender();
        try (OutboxTailer tailer = tailer(paths, second)) {
            await().atMost(10, SECONDS).until(() -> second.acceptedContents().size() == 1);
            long passes = tailer.passes();
            tailer.wake();
            await().atMost(5, SECONDS).until(() -> tailer.passes() >= passes + 2);
        }
        assertEquals(List.of("after-restart"), second.attemptContents());
    }

    @Test
    void aFileReusingAConsumedInodeIsReadFromTheStart() throws Exception {
        PersonaPaths paths = PersonaPaths.of(home, "alice").createDirectories();
        append(paths.outbox(), line("#general", "old1") + line("#general", "old2"));
        RecordingSender first = new RecordingSender();
        try (OutboxTailer tailer = tailer(paths, first)) {
            await().atMost(5, SECONDS).until(() -> first.acceptedContents().size() == 2);
        }
        // Same inode, same line boundaries, different bytes: what a deleted outbox whose inode
        // number was handed to a new file looks like to the checkpoint.
        Files.writeString(paths.outbox(), line("#general", "new1") + line("#general", "new2"),
                StandardOpenOption.TRUNCATE_EXISTING);
        RecordingSender second = new RecordingSender();
        try (OutboxTailer tailer = tailer(paths, second)) {
            await().atMost(5, SECONDS).until(() -> second.acceptedContents().size() == 2);
        }
        assertEquals(List.of("new1", "new2"), second.acceptedContents());
    }

    /** A line of about 900 bytes, so a few of them pass {@link #fast()}'s 4096-byte compaction size. */
    private static String bulky(String content) {
        return line("#general", content + "-" + "x".repeat(880));
    }

    @Test
    void aWriterHoldingTheOutboxOpenLosesNothingToCompaction() throws Exception {
        PersonaPaths paths = PersonaPaths.of(home, "alice").createDirectories();
        RecordingSender sender = new RecordingSender();
        try (OutboxTailer tailer = tailer(paths, sender)) {
            HeldOutboxWriter writer = new HeldOutboxWriter(paths.outbox());
            for (int i = 0; i < 5; i++) {
                writer.write(bulky("held" + i));
            }
            await().atMost(10, SECONDS).until(() -> sender.acceptedContents().size() == 5);
            await().atMost(10, SECONDS).until(() -> tailer.compactions() == 1);
            // The writer's descriptor now points at the renamed file. Without the check these
            // passes would delete it 50 ms after it was drained, and the next line with it.
            long passes = tailer.passes();
            await().atMost(20, SECONDS).until(() -> tailer.passes() >= passes + 5);
            assertTrue(Files.exists(paths.outboxProcessing()), "a held renamed outbox is kept");
            writer.write(bulky("after-the-pause"));
            await().atMost(10, SECONDS).until(() -> sender.acceptedContents().size() == 6);
            writer.close();
            tailer.wake();
            await().atMost(20, SECONDS).until(() -> !Files.exists(paths.outboxProcessing()));
        }
        assertTrue(sender.acceptedContents().get(5).startsWith("after-the-pause-"));
    }

    @Test
    void anOutboxDeletedAndRecreatedByHandIsDrainedThenFollowed() throws Exception {
        PersonaPaths paths = PersonaPaths.of(home, "alice").createDirectories();
        RecordingSender sender = new RecordingSender();
        try (OutboxTailer tailer = tailer(paths, sender)) {
            append(paths.outbox(), line("#general", "one"));
            await().atMost(5, SECONDS).until(() -> sender.acceptedContents().size() == 1);
            Files.delete(paths.outbox());
            append(paths.outbox(), line("#general", "two"));
            tailer.wake();
            await().atMost(5, SECONDS).until(() -> sender.acceptedContents().size() == 2);
        }
        assertEquals(List.of("one", "two"), sender.acceptedContents());
    }

    @Test
    void pacingCountsFromTheServersAnswerSoASlowLineCannotCrowdTheNextOne() throws Exception {
        // The server measures its rate limit on arrival. A line whose trip took 150 ms must not be
        // followed 200 ms after its departure (50 ms after it arrived) but 200 ms after its answer.
        PersonaPaths paths = PersonaPaths.of(home, "alice").createDirectories();
        List<Long> answeredNanos = java.util.Collections.synchronizedList(new ArrayList<>());
        RecordingSender sender = new RecordingSender(m -> CompletableFuture.supplyAsync(() -> {
            answeredNanos.add(System.nanoTime());
            return SendOutcome.accepted();
        }, CompletableFuture.delayedExecutor(150, TimeUnit.MILLISECONDS)));
        append(paths.outbox(), line("#general", "a") + line("#general", "b") + line("#general", "c"));
        Duration interval = Duration.ofMillis(200);
        try (OutboxTailer tailer = new OutboxTailer(paths, sender, new Pacer(interval, Clock.systemUTC()),
                Clock.systemUTC(), fast()).start()) {
            await().atMost(10, SECONDS).until(() -> sender.acceptedContents().size() == 3);
        }
        List<Long> sent = sender.attemptNanos();
        for (int i = 1; i < sent.size(); i++) {
            // 2 ms of slack: the pacer's clock counts whole milliseconds.
            long sinceAnswerMs = TimeUnit.NANOSECONDS.toMillis(sent.get(i) - answeredNanos.get(i - 1));
            assertTrue(sinceAnswerMs >= interval.toMillis() - 2, "line " + i + " went " + sinceAnswerMs
                    + " ms after the previous answer");
        }
    }

    @Test
    void sendsArePacedToTheConfiguredInterval() throws Exception {
        PersonaPaths paths = PersonaPaths.of(home, "alice").createDirectories();
        RecordingSender sender = new RecordingSender();
        StringBuilder text = new StringBuilder();
        for (int i = 0; i < 6; i++) {
            text.append(line("#general", "p" + i));
        }
        append(paths.outbox(), text.toString());
        Duration interval = Duration.ofMillis(40);
        try (OutboxTailer tailer = new OutboxTailer(paths, sender, new Pacer(interval, Clock.systemUTC()),
                Clock.systemUTC(), fast()).start()) {
            await().atMost(10, SECONDS).until(() -> sender.acceptedContents().size() == 6);
        }
        // The sender sees each attempt a little after the pacer released it, and that little varies
        // with the machine's load, so one gap may look short by that jitter; the span of all five
        // gaps cannot be shorter than five intervals minus the first attempt's lateness.
        List<Long> at = sender.attemptNanos();
        long jitterMs = 15;
        for (int i = 1; i < at.size(); i++) {
            long gapMs = TimeUnit.NANOSECONDS.toMillis(at.get(i) - at.get(i - 1));
            assertTrue(gapMs >= interval.toMillis() - jitterMs, "gap " + i + " was " + gapMs + " ms");
        }
        long spanMs = TimeUnit.NANOSECONDS.toMillis(at.get(at.size() - 1) - at.get(0));
        assertTrue(spanMs >= (at.size() - 1) * interval.toMillis() - jitterMs, "span was " + spanMs + " ms");
    }

    @Test
    void theWatcherWakesTheTailerWithoutWaitingForThePoll() throws Exception {
        PersonaPaths paths = PersonaPaths.of(home, "alice").createDirectories();
        RecordingSender sender = new RecordingSender();
        OutboxTailer.Config noPoll = new OutboxTailer.Config(Duration.ofHours(1), Duration.ofMillis(5),
                Duration.ofSeconds(10), Duration.ofMillis(50), 4096, 64 * 1024, 1024, Duration.ofMillis(300), 1L << 30);
        try (OutboxTailer tailer = new OutboxTailer(paths, sender, Pacer.unlimited(Clock.systemUTC()),
                Clock.systemUTC(), noPoll).start();
                OutboxWatcher watcher = OutboxWatcher.start(paths, tailer::wake)) {
            for (int i = 0; i < 3; i++) {
                append(paths.outbox(), line("#general", "w" + i));
                int expected = i + 1;
                await().atMost(10, SECONDS).until(() -> sender.acceptedContents().size() == expected);
            }
        }
    }
}
