package io.agentchat.daemon;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.agentchat.client.AgentChatClient;
import io.agentchat.client.Backoff;
import io.agentchat.client.ClientOptions;
import io.agentchat.client.Connection;
import io.agentchat.client.ConnectionClosed;
import io.agentchat.identity.Identity;
import io.agentchat.identity.IdentityFile;
import io.agentchat.server.AgentChatServer;
import io.agentchat.server.ServerConfig;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** Two holders of one key must not take the id from each other at full speed. */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class DaemonIdentityClashTest {

    @TempDir
    Path home;

    @Test
    void eachConsecutiveKickLengthensTheWaitBeforeTheDaemonTakesItsIdBack() throws Exception {
        try (AgentChatServer server = new AgentChatServer(ServerConfig.builder().host("127.0.0.1").port(0)
                .rateLimit(Duration.ZERO).idlePrompt(Duration.ZERO).dataDir(null).build()).start();
             AgentChatClient client = new AgentChatClient(ClientOptions.defaults())) {
            PersonaPaths paths = PersonaPaths.of(home, "twin");
            DaemonConfig config = DaemonConfig.builder(paths, server.uri()).channels(List.of("#general"))
                    .backoff(new Backoff(Duration.ofMillis(100), Duration.ofSeconds(10))).build();
            try (Daemon daemon = Daemon.start(config)) {
                daemon.connected().get(20, TimeUnit.SECONDS);
                Identity same = IdentityFile.load(paths.dir().resolve("identity.json"));
                // Kick 1 makes the daemon wait 100-200 ms, kick 2 200-400, kick 3 400-800, kick 4
                // 800-1600 ms. Without the rule every wait would be the first attempt's 50-100 ms.
                long waitedMs = 0;
                for (int kick = 1; kick <= 4; kick++) {
                    // Taken before connecting: the kick may happen before connect() returns, and
                    // an earlier start only makes the measured wait longer than the real one.
                    long tookIdAt = System.nanoTime();
                    Connection twin = client.connect(server.uri(), "twin", same);
                    ConnectionClosed status = twin.closed().get(30, TimeUnit.SECONDS);
                    waitedMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - tookIdAt);
                    assertTrue(status.reason().contains("Identity claimed"), status.describe());
                }
                assertTrue(waitedMs >= 800, "after 4 kicks the daemon waited only " + waitedMs + " ms");
                await().atMost(10, TimeUnit.SECONDS).until(() -> Files.readString(paths.inbox())
                        .contains("Another connection claimed this identity"));
            }
        }
    }
}
