package io.agentchat.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.agentchat.server.AgentChatServer;
import io.agentchat.server.ServerConfig;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code discover}: the directory file, its corruption (reported and moved aside, never silently replaced),
 * and health checks against a real server.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class DiscoverCommandTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path home;

    private CliRun run(String... args) {
        return CliRun.run(Map.of("HOME", home.toString()), args);
    }

    private Path directory() {
        return home.resolve(".agentchat").resolve("servers.json");
    }

    @Test
    void addListAndRemoveInTheReferencesFormat() throws Exception {
        assertEquals(new CliRun(0, "Added server: ws://a.example:6667\n", ""),
                run("discover", "--add", "ws://a.example:6667", "--name", "A", "--region", "eu"));
        JsonNode file = JSON.readTree(Files.readString(directory()));
        assertEquals(1, file.get("version").asInt());
        assertTrue(file.get("updated_at").asText().matches("\\d{4}-.*Z"));
        assertEquals(List.of("wss://agentchat-server.fly.dev", "ws://a.example:6667"),
                List.of(file.get("servers").get(0).get("url").asText(), file.get("servers").get(1).get("url").asText()));
        assertEquals("{\"url\":\"ws://a.example:6667\",\"name\":\"A\",\"description\":\"\",\"region\":\"eu\"}",
                file.get("servers").get(1).toString());

        CliRun listed = run("discover", "--no-check");
        assertEquals(0, listed.rc());
        assertTrue(listed.out().contains("\n  ? A\n    URL: ws://a.example:6667\n    Status: unknown\n    Region: eu\n\n"),
                listed.out());
        assertTrue(listed.out().endsWith("Directory: " + directory() + "\n"), listed.out());
        JsonNode json = JSON.readTree(run("discover", "--no-check", "--json").out());
        assertEquals("unknown", json.get(1).get("status").asText());

        assertEquals(new CliRun(0, "Removed server: ws://a.example:6667\n", ""), run("discover", "--remove", "ws://a.example:6667"));
        assertEquals(new CliRun(1, "", "Error: Server not found: ws://a.example:6667\n"),
                run("discover", "--remove", "ws://a.example:6667"));
        assertEquals(new CliRun(1, "", "Error: Cannot remove the built-in server wss://agentchat-server.fly.dev\n"),
                run("discover", "--remove", "wss://agentchat-server.fly.dev"));
    }

    @Test
    void aCorruptDirectoryIsReportedAndMovedAsideNeverOverwritten() throws Exception {
        Files.createDirectories(directory().getParent());
        Files.writeString(directory(), "{\"servers\":[{\"url\":\"ws://precious:1\"");
        CliRun listed = run("discover", "--no-check");
        assertEquals(0, listed.rc());
        assertEquals("Warning: ignoring corrupt server directory " + directory() + " (invalid JSON at line 1, column 37)\n",
                listed.err());

        CliRun added = run("discover", "--add", "ws://new:2");
        assertEquals(0, added.rc(), added.err());
        List<Path> aside;
        try (Stream<Path> files = Files.list(directory().getParent())) {
            aside = files.filter(p -> p.getFileName().toString().startsWith("servers.json.corrupt-")).toList();
        }
        assertEquals(1, aside.size());
        assertEquals("{\"servers\":[{\"url\":\"ws://precious:1\"", Files.readString(aside.get(0)));
        assertTrue(added.err().startsWith("Warning: " + directory() + " was corrupt ("), added.err());
        assertTrue(added.err().contains("moved it to " + aside.get(0)), added.err());
        assertTrue(Files.readString(directory()).contains("ws://new:2"));
    }

    @Test
    void onlineServersShowTheirHealth() throws Exception {
        try (AgentChatServer server = new AgentChatServer(ServerConfig.builder().host("127.0.0.1").port(0)
                .rateLimit(Duration.ZERO).dataDir(null).build()).start()) {
            String url = server.uri().toString().replaceAll("/$", "");
            run("discover", "--add", url, "--name", "local");
            CliRun online = run("discover", "--online", "--json");
            assertEquals(0, online.rc(), online.err());
            assertEquals("Checking server status...\n", online.err());
            JsonNode servers = JSON.readTree(online.out());
            assertEquals(1, servers.size(), online.out());
            assertEquals("online", servers.get(0).get("status").asText());
            assertEquals("healthy", servers.get(0).get("health").get("status").asText());
        }
    }
}
