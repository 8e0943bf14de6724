package io.agentchat.daemon;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertFalse;

import io.agentchat.server.RedisProcess;
import io.agentchat.server.TestRelay;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * The daemon on a relay of a cluster whose Redis goes away: the relay refuses the line with
 * CLUSTER_UNAVAILABLE, and the daemon keeps the line and sends it once Redis is back, instead of
 * setting it aside as refused for good.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class DaemonClusterOutageTest {

    @TempDir
    Path home;

    @RegisterExtension
    final ClosedAfterEach closed = new ClosedAfterEach();

    @Test
    void aLineRefusedWhileRedisIsAwayIsSentOnceItIsBack() throws Exception {
        RedisProcess redis = RedisProcess.start();
        try {
            TestRelay relay = closed.track(TestRelay.start(TestRelay.defaults().cluster(redis.uri())
                    .idlePrompt(Duration.ZERO).build()));
            PersonaPaths paths = PersonaPaths.of(home, "clustered");
            Daemon daemon = closed.track(Daemon.start(DaemonConfig.builder(paths, relay.uri())
                    .channels(List.of("#general")).build()));
            String self = daemon.connected().get(20, TimeUnit.SECONDS);

            redis.kill();
            Files.writeString(paths.outbox(), "{\"to\":\"#general\",\"content\":\"during-outage\"}\n");
            await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(100)).until(() ->
                    InboxFollower.completeLines(paths.inbox()).stream().anyMatch(l -> l.contains("CLUSTER_UNAVAILABLE")));

            redis.restart();
            await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(100)).until(() ->
                    InboxFollower.completeLines(paths.inbox()).stream().anyMatch(l -> l.contains("\"content\":\"during-outage\"")
                            && l.contains("\"from\":\"" + self + "\"")));
            assertFalse(Files.exists(paths.outboxRejected()) && Files.readString(paths.outboxRejected()).contains("during-outage"),
                    "the line was not set aside as refused");
        } finally {
            redis.close();
        }
    }
}
