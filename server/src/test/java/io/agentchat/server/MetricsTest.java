package io.agentchat.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** {@code GET /metrics}: the Prometheus text format, counting what happened, naming nobody. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class MetricsTest extends ServerHarness {

    private HttpResponse<String> metrics() throws Exception {
        URI page = URI.create("http://127.0.0.1:" + uri.getPort() + "/metrics");
        return HttpClient.newHttpClient().send(HttpRequest.newBuilder(page).GET().build(),
                HttpResponse.BodyHandlers.ofString());
    }

    /** Sample lines by name and labels, e.g. {@code agentchat_errors_total{code="INVALID_MSG"}}. */
    private static Map<String, Double> samples(String page) {
        return page.lines().filter(line -> !line.startsWith("#") && !line.isBlank())
                .collect(Collectors.toMap(line -> line.substring(0, line.lastIndexOf(' ')),
                        line -> Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1))));
    }

    @Test
    void theCountersFollowWhatTheRelayDidAndNameNoAgentOrContent() throws Exception {
        start();
        try (TestAgent a = joined("a", "#general"); TestAgent b = joined("b", "#general")) {
            a.send("{\"type\":\"MSG\",\"to\":\"#general\",\"content\":\"secret words\"}");
            b.await("MSG", f -> "secret words".equals(f.path("content").asText()));
            JsonNode echo = a.await("MSG", f -> "secret words".equals(f.path("content").asText()));
            a.send("not json");
            a.await("ERROR");
            b.send("{\"type\":\"JOIN\",\"channel\":\"#agents\",\"since\":0,\"epoch\":\"" + echo.get("epoch").asText()
                    + "\"}");
            b.await("JOINED");
            a.drainUntilPong();
            b.drainUntilPong();

            HttpResponse<String> response = metrics();
            assertEquals(200, response.statusCode());
            assertTrue(response.headers().firstValue("content-type").orElse("").startsWith("text/plain; version=0.0.4"));
            String page = response.body();
            Map<String, Double> samples = samples(page);
            assertEquals(2.0, samples.get("agentchat_connections"));
            assertEquals(2.0, samples.get("agentchat_agents_identified"));
            assertEquals(1.0, samples.get("agentchat_frames_in_total{type=\"MSG\"}"));
            assertEquals(1.0, samples.get("agentchat_frames_in_total{type=\"undecodable\"}"));
            assertEquals(1.0, samples.get("agentchat_errors_total{code=\"INVALID_MSG\"}"));
            assertEquals(4.0, samples.get("agentchat_deliveries_total{type=\"PONG\"}"), "two PINGs each");
            assertTrue(samples.get("agentchat_deliveries_total{type=\"MSG\"}") >= 2, page);
            assertEquals(1.0, samples.get("agentchat_resumes_total{recovered=\"false\"}"), "another channel's epoch");
            double count = samples.get("agentchat_delivery_seconds_count");
            assertTrue(count > 0 && count == samples.get("agentchat_delivery_seconds_bucket{le=\"+Inf\"}"), page);
            assertFalse(page.contains(a.id.substring(1)) || page.contains(b.id.substring(1)), "no agent ids");
            assertFalse(page.contains("secret"), "no content");
        }
    }
}
