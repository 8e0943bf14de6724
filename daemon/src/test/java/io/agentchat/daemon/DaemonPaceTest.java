package io.agentchat.daemon;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.agentchat.client.Backoff;
import io.agentchat.client.ClientOptions;
import io.agentchat.client.FrameListener;
import io.agentchat.client.ServerAddresses;
import io.agentchat.identity.Identity;
import io.agentchat.server.TestRelay;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/** The outbox paced to what the server announces, and to what it refuses when it says nothing. */
@Timeout(value = 180, unit = TimeUnit.SECONDS)
class DaemonPaceTest {

    @TempDir
    Path home;

    @RegisterExtension
    final ClosedAfterEach closed = new ClosedAfterEach();

    private static String lines(int count) {
        StringBuilder text = new StringBuilder();
        for (int i = 0; i < count; i++) {
            text.append("{\"to\":\"#general\",\"content\":\"p-").append(i).append("\"}\n");
        }
        return text.toString();
    }

    @Test
    void aRelayAtTenMillisecondsDrainsAThousandOutboxLinesWellUnderAMinute() throws Exception {
        TestRelay relay = closed.track(TestRelay.start(TestRelay.defaults().rateLimit(Duration.ofMillis(10))
                .framesPerSecond(0).idlePrompt(Duration.ZERO).build()));
        PersonaPaths paths = PersonaPaths.of(home, "fast");
        Daemon daemon = closed.track(Daemon.start(DaemonConfig.builder(paths, relay.uri()).channels(List.of("#general"))
                .build()));
        String self = daemon.connected().get(20, TimeUnit.SECONDS);
        assertEquals(Duration.ofMillis(11), daemon.pacer().interval(), "the WELCOME's 10 ms plus the margin");

        long start = System.nanoTime();
        Files.writeString(paths.outbox(), lines(1000), StandardCharsets.UTF_8);
        // A hang guard only; the measured figure is printed.
        await().atMost(Duration.ofSeconds(45)).pollInterval(Duration.ofMillis(20)).until(() -> daemon.linesSent() == 1000);
        long elapsedMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
        System.out.printf("DaemonPaceTest: 1000 outbox lines drained in %d ms at a 10 ms server limit (%.0f lines/s)%n",
                elapsedMs, 1000 * 1000.0 / elapsedMs);

        ObjectMapper json = new ObjectMapper();
        await().atMost(Duration.ofSeconds(10)).until(() -> InboxFollower.completeLines(paths.inbox()).stream()
                .filter(l -> l.contains("\"content\":\"p-999\"")).count() == 1);
        List<String> echoed = new ArrayList<>();
        for (String line : InboxFollower.completeLines(paths.inbox())) {
            JsonNode frame = json.readTree(line);
            assertFalse("RATE_LIMITED".equals(frame.path("code").asText()), "no line was refused for its rate");
            if ("MSG".equals(frame.path("type").asText()) && self.equals(frame.path("from").asText())) {
                echoed.add(frame.path("content").asText());
            }
        }
        List<String> expected = new ArrayList<>();
        for (int i = 0; i < 1000; i++) {
            expected.add("p-" + i);
        }
        assertEquals(expected, echoed, "every line once, in order");
    }

    /**
     * Our relay always announces its pace, so a server that does not is simulated at the pacer: it
     * guesses a pace four times too fast and never hears otherwise.
     */
    @Test
    void aGuessTooFastForASilentServerLengthensOnEachRefusalAndNoLineIsLost() throws Exception {
        TestRelay relay = closed.track(TestRelay.start(TestRelay.defaults().rateLimit(Duration.ofSeconds(1))
                .framesPerSecond(0).idlePrompt(Duration.ZERO).build()));
        ChannelRecorder recorder = closed.track(new ChannelRecorder(relay.uri(), "#general"));
        await().atMost(10, TimeUnit.SECONDS).until(() -> recorder.joins() == 1);
        PersonaPaths paths = PersonaPaths.of(home, "silent");
        paths.createDirectories();
        ServerLink link = closed.track(new ServerLink(ServerAddresses.of(relay.uri()), Identity.generate("silent", Clock.systemUTC()),
                List.of("#general"), ClientOptions.defaults(), Backoff.standard(), Duration.ofMinutes(1),
                Clock.systemUTC(), FrameListener.NONE, channel -> null, new ServerLink.Events() {
                    @Override
                    public void onConnected(ServerLink.LiveConnection live, boolean first) {
                    }

                    @Override
                    public void onGaveUp(String reason) {
                    }

                    @Override
                    public void onFatal(String reason) {
                    }
                }, "silent"));
        link.start();
        Pacer pacer = Pacer.learning(Duration.ofMillis(250), Clock.systemUTC());
        OutboxTailer tailer = closed.track(new OutboxTailer(paths, new LinkSender(link), pacer, Clock.systemUTC(),
                OutboxTailer.Config.defaults()).start());
        Files.writeString(paths.outbox(), lines(6), StandardCharsets.UTF_8);
        tailer.wake();

        await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(20)).until(() -> tailer.linesAccepted() == 6);
        assertTrue(pacer.interval().compareTo(Duration.ofSeconds(1)) > 0,
                "refusals lengthened the guess past the server's limit: " + pacer.interval());
        assertTrue(pacer.interval().compareTo(Duration.ofSeconds(3)) < 0, "by steps of a half: " + pacer.interval());
        await().atMost(Duration.ofSeconds(10)).until(() -> recorder.count() == 6);
        assertEquals(List.of("p-0", "p-1", "p-2", "p-3", "p-4", "p-5"), recorder.contents(), "none lost, in order");
        assertFalse(Files.exists(paths.outboxRejected()), "a refusal for the rate is retried, never set aside");
    }
}
