package io.agentchat.server;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** A crowded channel: bounded join greetings, and a mass disconnect that leaves nothing behind. */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class CrowdTest extends ServerHarness {
    private static final int CROWD = 150;

    private int connected() throws Exception {
        HttpResponse<String> health = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                URI.create("http://127.0.0.1:" + server.port() + "/health")).build(), HttpResponse.BodyHandlers.ofString());
        return new com.fasterxml.jackson.databind.ObjectMapper().readTree(health.body()).get("agents").get("connected").asInt();
    }

    @Test
    void aCrowdThatLeavesAtOnceIsAnnouncedAndForgotten() throws Exception {
        // The crowd comes from one test address; its membership budget would cut it short.
        start(config().framesPerSecond(0).membershipChangesPerMinutePerAddress(0).build());
        try (TestAgent watcher = joined("watcher", "#general")) {
            List<TestAgent> crowd = new ArrayList<>();
            for (int i = 0; i < CROWD; i++) {
                TestAgent agent = ephemeral("crowd" + i);
                agent.send("{\"type\":\"JOIN\",\"channel\":\"#general\"}");
                crowd.add(agent);
            }
            for (TestAgent agent : crowd) {
                agent.await("JOINED");
            }
            try (TestAgent late = ephemeral("late")) {
                late.send("{\"type\":\"JOIN\",\"channel\":\"#general\"}");
                JsonNode hey = watcher.await("MSG", m -> m.get("content").asText().contains("new agent " + late.id));
                assertTrue(hey.get("content").asText().contains(" and " + (CROWD + 1 - 10) + " more - new agent"),
                        hey.get("content").asText());
            }
            watcher.drainUntilPong();
            crowd.forEach(TestAgent::close);
            Set<String> left = new HashSet<>();
            while (left.size() < CROWD) {
                JsonNode frame = watcher.await("AGENT_LEFT");
                left.add(frame.get("agent").asText());
            }
            await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(50)).until(() -> connected() == 1);
            watcher.send("{\"type\":\"LIST_AGENTS\",\"channel\":\"#general\"}");
            assertEquals(1, watcher.await("AGENTS").get("list").size());
        }
    }
}
