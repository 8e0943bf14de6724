package io.agentchat.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.eclipse.jetty.client.transport.HttpClientTransportDynamic;
import org.eclipse.jetty.io.ClientConnector;
import org.eclipse.jetty.util.ssl.SslContextFactory;
import org.eclipse.jetty.websocket.client.WebSocketClient;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

@Timeout(value = 60, unit = TimeUnit.SECONDS)
class HealthAndTlsTest extends ServerHarness {
    private static final ObjectMapper JSON = new ObjectMapper();

    private static HttpResponse<String> get(URI uri) throws Exception {
        return HttpClient.newHttpClient().send(HttpRequest.newBuilder(uri).GET().build(),
                HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void healthReportsTheReferenceShape() throws Exception {
        start(config().name("relay-1").build());
        URI http = URI.create("http://127.0.0.1:" + server.port());
        try (TestAgent agent = ephemeral("alice")) {
            HttpResponse<String> response = get(http.resolve("/health"));
            assertEquals(200, response.statusCode());
            assertEquals("application/json", response.headers().firstValue("content-type").orElse(""));
            JsonNode body = JSON.readTree(response.body());
            assertEquals("healthy", body.get("status").asText());
            assertEquals("relay-1", body.get("server").asText());
            assertEquals(1, body.get("agents").get("connected").asInt());
            assertEquals(0, body.get("agents").get("with_identity").asInt());
            assertEquals(4, body.get("channels").get("total").asInt(), "#general, #agents, #discovery, #skills");
            assertEquals("{\"total\":0,\"byStatus\":{},\"agents\":0}", body.get("proposals").toString());
            assertTrue(body.get("started_at").asText().matches("\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d\\.\\d{3}Z"));
            assertEquals(java.util.List.of("status", "server", "version", "uptime_seconds", "started_at", "agents",
                    "channels", "proposals", "timestamp"), iterable(body.fieldNames()));
        }
        for (String path : new String[] {"/", "/health/", "/health?x=1", "/other"}) {
            HttpResponse<String> response = get(http.resolve(path));
            assertEquals(404, response.statusCode(), path);
            assertEquals("Not Found", response.body());
        }
    }

    private static java.util.List<String> iterable(java.util.Iterator<String> names) {
        java.util.List<String> list = new java.util.ArrayList<>();
        names.forEachRemaining(list::add);
        return list;
    }

    @Test
    void tlsServesWssAndHttpsOnOnePort(@TempDir Path dir) throws Exception {
        Path cert = dir.resolve("cert.pem");
        Path key = dir.resolve("key.pem");
        Process openssl = new ProcessBuilder("openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes",
                "-keyout", key.toString(), "-out", cert.toString(), "-days", "1", "-subj", "/CN=localhost")
                .redirectErrorStream(true).redirectOutput(dir.resolve("openssl.log").toFile()).start();
        assertEquals(0, openssl.waitFor(), "openssl must be installed to make the test certificate");
        start(config().tls(cert, key).build());
        assertTrue(server.uri().toString().startsWith("wss://"));

        SslContextFactory.Client trustAll = new SslContextFactory.Client(true);
        ClientConnector connector = new ClientConnector();
        connector.setSslContextFactory(trustAll);
        WebSocketClient wss = new WebSocketClient(new org.eclipse.jetty.client.HttpClient(new HttpClientTransportDynamic(connector)));
        wss.start();
        try (TestAgent agent = TestAgent.ephemeral(wss, server.uri(), "secure")) {
            agent.send("{\"type\":\"PING\"}");
            assertEquals("PONG", agent.next().get("type").asText());
        } finally {
            wss.stop();
        }
        org.eclipse.jetty.client.HttpClient https = new org.eclipse.jetty.client.HttpClient(new HttpClientTransportDynamic(
                new ClientConnector() {{ setSslContextFactory(new SslContextFactory.Client(true)); }}));
        https.start();
        try {
            var response = https.GET("https://127.0.0.1:" + server.port() + "/health");
            assertEquals(200, response.getStatus());
            assertEquals("healthy", JSON.readTree(response.getContentAsString()).get("status").asText());
        } finally {
            https.stop();
        }
    }
}
