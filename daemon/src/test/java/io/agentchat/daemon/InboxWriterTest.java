package io.agentchat.daemon;

import static java.util.concurrent.TimeUnit.SECONDS;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.agentchat.server.MutableClock;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

@Timeout(value = 120, unit = TimeUnit.SECONDS)
class InboxWriterTest {

    @TempDir
    Path home;

    private final MutableClock clock = new MutableClock(Instant.ofEpochMilli(1_795_576_935_293L));

    private static InboxWriter.Config small(long maxBytes) {
        return new InboxWriter.Config(maxBytes, 10_000, 1000, 64 * 1024);
    }

    private static String msg(String from, long ts, String content, boolean replay) {
        return "{\"type\":\"MSG\",\"ts\":" + ts + ",\"from\":\"" + from + "\",\"to\":\"#general\",\"content\":\""
                + content + "\"" + (replay ? ",\"replay\":true" : "") + "}";
    }

    @Test
    void writesEachFrameExactlyAsReceivedOnItsOwnLineAndTouchesNewdata() throws Exception {
        PersonaPaths paths = PersonaPaths.of(home, "alice");
        String a = msg("@a", 1, "hello", false);
        String b = "{\"type\":\"AGENT_JOINED\",\"ts\":2,\"channel\":\"#general\",\"agent\":\"@b\"}";
        try (InboxWriter writer = new InboxWriter(paths, InboxWriter.Config.defaults(), clock)) {
            assertTrue(writer.offer(a));
            assertTrue(writer.offer(b));
            writer.flush().get(5, SECONDS);
        }
        assertEquals(a + "\n" + b + "\n", Files.readString(paths.inbox()));
        assertEquals("1795576935293", Files.readString(paths.newdata()));
    }

    @Test
    void aMultiLineFrameStaysOneLine() throws Exception {
        PersonaPaths paths = PersonaPaths.of(home, "alice");
        try (InboxWriter writer = new InboxWriter(paths, InboxWriter.Config.defaults(), clock)) {
            writer.offer("{\"type\":\"MSG\",\n \"content\":\"x\"}");
            writer.flush().get(5, SECONDS);
        }
        assertEquals("{\"type\":\"MSG\",\"content\":\"x\"}\n", Files.readString(paths.inbox()));
    }

    @Test
    void replayedHistoryIsNotStoredTwiceAcrossReconnectsAndRestarts() throws Exception {
        PersonaPaths paths = PersonaPaths.of(home, "alice");
        try (InboxWriter writer = new InboxWriter(paths, InboxWriter.Config.defaults(), clock)) {
            writer.offer(msg("@a", 10, "live once", false));
            writer.offer(msg("@a", 10, "live once", true)); // the reconnect replay of the same message
            writer.offer(msg("@b", 11, "missed while away", true));
            writer.offer(msg("@b", 11, "missed while away", true)); // a second reconnect
            writer.offer(msg("@a", 10, "live once", false)); // a live repeat is still written
            writer.flush().get(5, SECONDS);
            assertEquals(2, writer.duplicatesSkipped());
        }
        // A restarted daemon seeds its memory from the inbox tail.
        try (InboxWriter writer = new InboxWriter(paths, InboxWriter.Config.defaults(), clock)) {
            writer.offer(msg("@a", 10, "live once", true));
            writer.offer(msg("@b", 11, "missed while away", true));
            writer.offer(msg("@c", 12, "new history", true));
            writer.flush().get(5, SECONDS);
            assertEquals(2, writer.duplicatesSkipped());
        }
        List<String> lines = Files.readAllLines(paths.inbox());
        assertEquals(List.of(msg("@a", 10, "live once", false), msg("@b", 11, "missed while away", true),
                msg("@a", 10, "live once", false), msg("@c", 12, "new history", true)), lines);
    }

    @Test
    void aPartialLineLeftByACrashIsTerminatedBeforeNewFrames() throws Exception {
        PersonaPaths paths = PersonaPaths.of(home, "alice").createDirectories();
        Files.writeString(paths.inbox(), msg("@a", 1, "ok", false) + "\n{\"type\":\"MSG\",\"cont");
        try (InboxWriter writer = new InboxWriter(paths, InboxWriter.Config.defaults(), clock)) {
            writer.offer(msg("@a", 2, "next", false));
            writer.flush().get(5, SECONDS);
        }
        List<String> lines = Files.readAllLines(paths.inbox());
        assertEquals(3, lines.size());
        assertEquals(msg("@a", 2, "next", false), lines.get(2));
    }

    @Test
    void rotationWhileAFollowerReadsMissesNoLineAndNeverSplitsOne() throws Exception {
        PersonaPaths paths = PersonaPaths.of(home, "alice");
        int total = 5000;
        int cap = 32 * 1024;
        AtomicInteger followed = new AtomicInteger();
        AtomicReference<Throwable> failure = new AtomicReference<>();
        List<String> seen = new ArrayList<>();
        try (InboxWriter writer = new InboxWriter(paths, small(cap), clock);
                InboxFollower follower = new InboxFollower(paths.inbox())) {
            Thread reader = new Thread(() -> {
                try {
                    while (followed.get() < total) {
                        followed.set(follower.poll().size());
                        Thread.onSpinWait();
                    }
                    seen.addAll(follower.poll());
                } catch (Throwable t) {
                    failure.set(t);
                }
            }, "test-inbox-follower");
            reader.start();
            for (int i = 0; i < total; i++) {
                // Keep the follower within one generation (about 100 lines of a 270-line file),
                // as tail -F must be: a reader two rotations behind loses the oldest file by design.
                while (i - followed.get() > 100 && failure.get() == null) {
                    Thread.onSpinWait();
                }
                assertTrue(writer.offer(msg("@p", i, "m-" + i + "-" + "x".repeat(i % 97), false)));
            }
            await().atMost(60, SECONDS).until(() -> !reader.isAlive());
            assertEquals(null, failure.get());
            assertTrue(writer.rotations() > 10, "expected many rotations, got " + writer.rotations());
            assertTrue(follower.reopens() > 10);
        }
        assertEquals(total, seen.size());
        for (int i = 0; i < total; i++) {
            assertEquals(msg("@p", i, "m-" + i + "-" + "x".repeat(i % 97), false), seen.get(i));
        }
        for (Path f : List.of(paths.inbox(), paths.inboxRotated())) {
            byte[] bytes = Files.readAllBytes(f);
            assertTrue(bytes.length <= cap, f + " exceeds the cap: " + bytes.length);
            assertEquals('\n', bytes[bytes.length - 1], f + " ends with a partial line");
        }
    }

    @Test
    void offerAfterCloseIsRefusedNotSilentlyLost() throws Exception {
        PersonaPaths paths = PersonaPaths.of(home, "alice");
        InboxWriter writer = new InboxWriter(paths, InboxWriter.Config.defaults(), clock);
        writer.close();
        writer.close();
        assertFalse(writer.offer(msg("@a", 1, "late", false)));
        assertEquals("", Files.readString(paths.inbox(), StandardCharsets.UTF_8));
    }
}
