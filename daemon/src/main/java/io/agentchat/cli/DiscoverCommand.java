package io.agentchat.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.agentchat.json.JsStringify;
import io.agentchat.json.IsoTime;
import java.io.PrintWriter;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

/**
 * {@code discover}: the known servers, each checked through {@code GET /health}
 * (5 s), plus {@code --add}/{@code --remove} on the directory file. Unlike the original, a corrupt directory
 * is reported and moved aside instead of overwritten, and removing an unknown URL is an error.
 */
@Command(name = "discover", mixinStandardHelpOptions = true, description = "Discover available AgentChat servers.")
final class DiscoverCommand implements Callable<Integer> {
    private static final Duration HEALTH_TIMEOUT = Duration.ofSeconds(5);
    private static final ObjectMapper JSON = new ObjectMapper();

    @Spec
    CommandLine.Model.CommandSpec spec;

    @ParentCommand
    AgentchatCommand parent;

    @Option(names = "--add", paramLabel = "<url>", description = "Add a server to the directory.")
    String add;

    @Option(names = "--remove", paramLabel = "<url>", description = "Remove a server from the directory.")
    String remove;

    @Option(names = "--name", paramLabel = "<name>", description = "Server name (for --add; default: the URL).")
    String name;

    @Option(names = "--description", paramLabel = "<desc>", description = "Server description (for --add).")
    String description;

    @Option(names = "--region", paramLabel = "<region>", description = "Server region (for --add; default: unknown).")
    String region;

    @Option(names = "--online", description = "Only show online servers.")
    boolean online;

    @Option(names = "--json", description = "Output as JSON.")
    boolean json;

    @Option(names = "--no-check", negatable = false, description = "List servers without a health check.")
    boolean noCheck;

    @Option(names = "--directory", paramLabel = "<path>",
            description = "Directory file (default: $HOME/.agentchat/servers.json).")
    Path directory;

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        Path file = directory != null ? directory : ServerDirectory.defaultPath(parent::env);
        ServerDirectory servers = ServerDirectory.load(file);
        long now = System.currentTimeMillis();
        if (add != null && add.indexOf(',') >= 0) {
            // One entry, one relay: its health check is one request (docs/decisions.md, "Server lists").
            throw new CommandLine.ParameterException(spec.commandLine(),
                    "--add takes one server URL, not a list: add each relay of a cluster as its own entry");
        }
        if (add != null || remove != null) {
            Path aside;
            if (add != null) {
                ObjectNode server = JsonNodeFactory.instance.objectNode();
                server.put("url", add);
                server.put("name", name != null && !name.isEmpty() ? name : add);
                server.put("description", description != null ? description : "");
                server.put("region", region != null && !region.isEmpty() ? region : "unknown");
                aside = servers.add(server, now);
            } else {
                aside = servers.remove(remove, now);
            }
            if (aside != null) {
                err.println("Warning: " + file.toAbsolutePath() + " was corrupt (" + servers.corruption()
                        + "); moved it to " + aside.toAbsolutePath());
            }
            out.println(add != null ? "Added server: " + add : "Removed server: " + remove);
            return ExitCodes.OK;
        }
        if (servers.corruption() != null) {
            err.println("Warning: ignoring corrupt server directory " + file.toAbsolutePath() + " ("
                    + servers.corruption() + ")");
        }
        List<ObjectNode> listed;
        if (noCheck) {
            listed = new ArrayList<>();
            for (ObjectNode server : servers.servers()) {
                ObjectNode copy = server.deepCopy();
                copy.put("status", "unknown");
                listed.add(copy);
            }
        } else {
            err.println("Checking server status...");
            listed = check(servers.servers());
            if (online) {
                listed.removeIf(s -> !"online".equals(s.path("status").asText()));
            }
        }
        if (json) {
            out.println(JsStringify.pretty(JsonNodeFactory.instance.arrayNode().addAll(listed)));
            return ExitCodes.OK;
        }
        print(out, listed);
        out.println("Directory: " + file);
        return ExitCodes.OK;
    }

    private static void print(PrintWriter out, List<ObjectNode> listed) {
        if (listed.isEmpty()) {
            out.println("No servers found.");
            return;
        }
        out.println();
        out.println("Found " + listed.size() + " server(s):");
        out.println();
        for (ObjectNode s : listed) {
            String status = s.path("status").asText();
            String icon = "online".equals(status) ? "\u2713" : "offline".equals(status) ? "\u2717" : "?";
            out.println("  " + icon + " " + s.path("name").asText(""));
            out.println("    URL: " + s.path("url").asText(""));
            out.println("    Status: " + status);
            if (!s.path("description").asText("").isEmpty()) {
                out.println("    Description: " + s.path("description").asText());
            }
            if (!s.path("region").asText("").isEmpty()) {
                out.println("    Region: " + s.path("region").asText());
            }
            if (s.has("health")) {
                out.println("    Agents: " + s.path("health").path("agents").path("connected").asLong(0));
                out.println("    Uptime: " + s.path("health").path("uptime_seconds").asLong(0) + "s");
            }
            if (s.has("error")) {
                out.println("    Error: " + s.path("error").asText());
            }
            out.println();
        }
    }

    /** Checks every server at once; each result is the entry plus status, health or error, checked_at. */
    private static List<ObjectNode> check(List<ObjectNode> servers) {
        HttpClient http = HttpClient.newBuilder().connectTimeout(HEALTH_TIMEOUT).build();
        List<CompletableFuture<ObjectNode>> checks = new ArrayList<>();
        for (ObjectNode server : servers) {
            checks.add(health(http, server));
        }
        List<ObjectNode> results = new ArrayList<>();
        checks.forEach(c -> results.add(c.join()));
        return results;
    }

    private static CompletableFuture<ObjectNode> health(HttpClient http, ObjectNode server) {
        ObjectNode result = server.deepCopy();
        String url = server.path("url").asText("").replaceFirst("^wss://", "https://").replaceFirst("^ws://", "http://")
                + "/health";
        HttpRequest request;
        try {
            request = HttpRequest.newBuilder(URI.create(url)).timeout(HEALTH_TIMEOUT).GET().build();
        } catch (IllegalArgumentException e) {
            return CompletableFuture.completedFuture(offline(result, "Invalid URL: " + server.path("url").asText("")));
        }
        return http.sendAsync(request, HttpResponse.BodyHandlers.ofString()).handle((response, failure) -> {
            if (failure != null) {
                return offline(result, describe(failure));
            }
            if (response.statusCode() != 200) {
                return offline(result, "HTTP " + response.statusCode());
            }
            JsonNode health;
            try {
                health = JSON.readTree(response.body());
            } catch (Exception e) {
                return offline(result, "Invalid health response");
            }
            result.put("status", "online");
            result.set("health", health);
            result.put("checked_at", IsoTime.format(System.currentTimeMillis()));
            return result;
        });
    }

    private static ObjectNode offline(ObjectNode result, String error) {
        result.put("status", "offline");
        result.put("error", error);
        result.put("checked_at", IsoTime.format(System.currentTimeMillis()));
        return result;
    }

    private static String describe(Throwable failure) {
        Throwable cause = failure.getCause() != null ? failure.getCause() : failure;
        if (cause instanceof java.net.http.HttpTimeoutException) {
            return "Timeout";
        }
        if (cause instanceof java.net.ConnectException) {
            return "Connection refused";
        }
        String message = cause.getMessage();
        return message == null || message.isBlank() ? cause.getClass().getSimpleName() : message;
    }
}
