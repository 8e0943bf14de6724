package io.agentchat.daemon;

import static java.util.concurrent.TimeUnit.SECONDS;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Clock;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Predicate;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The documented crash bound of {@link OutboxTailer}: after a crash at any instant, a restart
 * resends at most the line in flight and the one accepted just before it, and loses nothing.
 *
 * <p>A crash is simulated in-process: from the "crash" on, no checkpoint write reaches the disk
 * (the store drops them, as a killed process would never make them), the in-flight send never
 * completes, and the old tailer is abandoned. What is on disk is exactly what a SIGKILL at that
 * moment leaves; a new tailer then starts from it.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class OutboxCrashTest {

    @TempDir
    Path home;

    /** A real file store that can hold a write back and then drop everything after the crash. */
    static final class CrashableStore implements CheckpointStore {
        private final FileCheckpointStore real;
        private final Predicate<OutboxCheckpoint> holdIf;
        private final CountDownLatch crashed = new CountDownLatch(1);
        private volatile long maxWritten;

        CrashableStore(Path file, Predicate<OutboxCheckpoint> holdIf) {
            this.real = new FileCheckpointStore(file);
            this.holdIf = holdIf;
        }

        @Override
        public OutboxCheckpoint read() throws IOException {
            return real.read();
        }

        @Override
        public void write(OutboxCheckpoint checkpoint) throws IOException {
            if (holdIf.test(checkpoint)) {
                try {
                    crashed.await();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
            if (crashed.getCount() == 0) {
                return; // the process is dead: this write never happens
            }
            real.write(checkpoint);
            maxWritten = Math.max(maxWritten, liveOffset(checkpoint));
        }

        long maxWritten() {
            return maxWritten;
        }

        void crash() {
            crashed.countDown();
        }
    }

    private static long liveOffset(OutboxCheckpoint c) {
        return c.generations().stream().mapToLong(OutboxCheckpoint.Entry::offset).max().orElse(0);
    }

    private void runCrashScenario(boolean holdCheckpointOfPreviousLine) throws Exception {
        PersonaPaths paths = PersonaPaths.of(home, "alice").createDirectories();
        int total = 30;
        int inFlight = 20; // 0-based index of the line whose send never completes
        StringBuilder text = new StringBuilder();
        for (int i = 0; i < total; i++) {
            text.append(OutboxTailerTest.line("#general", String.format("c%02d", i)));
        }
        OutboxTailerTest.append(paths.outbox(), text.toString());
        long lineLength = OutboxTailerTest.line("#general", "c00").length();
        // Worst case: the checkpoint of the line accepted just before the in-flight one is still
        // being written when the crash comes.
        long heldOffset = lineLength * inFlight;
        CrashableStore store = new CrashableStore(paths.outboxOffset(),
                c -> holdCheckpointOfPreviousLine && liveOffset(c) >= heldOffset);
        String inFlightContent = String.format("c%02d", inFlight);
        CompletableFuture<SendOutcome> never = new CompletableFuture<>();
        AtomicBoolean dead = new AtomicBoolean();
        String previous = String.format("c%02d", inFlight - 1);
        RecordingSender first = new RecordingSender(m -> {
            if (dead.get() || m.content().equals(inFlightContent)) {
                return never;
            }
            if (holdCheckpointOfPreviousLine && m.content().equals(previous)) {
                // Let the checkpoint of the line before land first, so the held one is exactly
                // the previous line's: the worst case the bound allows.
                await().atMost(10, SECONDS).until(() -> store.maxWritten() >= heldOffset - lineLength);
            }
            return CompletableFuture.completedFuture(SendOutcome.accepted());
        });
        OutboxTailer.Config config = OutboxTailerTest.fast();
        OutboxTailer crashed = new OutboxTailer(paths, first, Pacer.unlimited(Clock.systemUTC()),
                Clock.systemUTC(), config, store).start();
        // The consumer now blocks on the in-flight send; in the worst case the previous line's
        // checkpoint is also still being written.
        await().atMost(10, SECONDS).until(() -> first.attemptContents().contains(inFlightContent));
        dead.set(true);
        Set<String> sentBeforeCrash = new HashSet<>(first.attemptContents());
        store.crash();
        crashed.close(); // only releases the abandoned threads; nothing reaches the disk any more

        RecordingSender second = new RecordingSender();
        try (OutboxTailer restarted = new OutboxTailer(paths, second, Pacer.unlimited(Clock.systemUTC()),
                Clock.systemUTC(), config).start()) {
            await().atMost(10, SECONDS).until(() -> second.acceptedContents().contains(String.format("c%02d", total - 1)));
            long passes = restarted.passes();
            restarted.wake();
            await().atMost(5, SECONDS).until(() -> restarted.passes() >= passes + 2);
        }
        List<String> resent = second.acceptedContents();
        int firstResent = Integer.parseInt(resent.get(0).substring(1));
        // Nothing lost: what was sent before the crash plus what is sent after covers every line,
        // and the restart continues in order without a gap.
        assertEquals(IntStream.range(firstResent, total).mapToObj(i -> String.format("c%02d", i)).toList(), resent);
        assertTrue(sentBeforeCrash.containsAll(
                IntStream.range(0, firstResent).mapToObj(i -> String.format("c%02d", i)).toList()));
        // At most two lines that had gone out before the crash go out again.
        List<String> repeated = resent.stream().filter(sentBeforeCrash::contains).toList();
        assertTrue(repeated.size() <= 2, "repeated " + repeated);
        if (holdCheckpointOfPreviousLine) {
            assertEquals(2, repeated.size(), "worst case repeats exactly two lines: " + repeated);
        }
    }

    @Test
    void aCrashWhileALineIsInFlightResendsAtMostTwoLinesAndLosesNone() throws Exception {
        runCrashScenario(false);
    }

    @Test
    void theWorstCaseCrashResendsExactlyTheInFlightLineAndTheOneBefore() throws Exception {
        runCrashScenario(true);
    }
}
