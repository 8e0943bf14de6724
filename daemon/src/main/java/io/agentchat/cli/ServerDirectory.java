package io.agentchat.cli;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.agentchat.json.JsStringify;
import io.agentchat.ledger.LedgerFileException;
import io.agentchat.reputation.AtomicFile;
import io.agentchat.json.IsoTime;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.UnaryOperator;

/**
 * The server directory of {@code discover}, {@code ~/.agentchat/servers.json}, as the original names it:
 * {@code {"version":1,"updated_at":ISO,"servers":[{name,url,description,region}]}}, with the public
 * server always merged in. Unlike the reference, a corrupt file is reported, never silently
 * replaced: before a write it is moved aside to {@code servers.json.corrupt-<ms>}.
 */
final class ServerDirectory {
    static final String BUILT_IN_URL = "wss://agentchat-server.fly.dev";
    /** Entries kept; a directory is a short list of servers, not a dump. */
    static final int MAX_SERVERS = 1000;
    private static final ObjectMapper JSON = new ObjectMapper();

    private final Path file;
    private final List<ObjectNode> servers;
    private final String corruption;

    private ServerDirectory(Path file, List<ObjectNode> servers, String corruption) {
        this.file = file;
        this.servers = servers;
        this.corruption = corruption;
    }

    /** {@code $HOME/.agentchat/servers.json} ({@code USERPROFILE}, then {@code .}, when HOME is unset). */
    static Path defaultPath(UnaryOperator<String> env) {
        String home = env.apply("HOME");
        if (home == null || home.isEmpty()) {
            home = env.apply("USERPROFILE");
        }
        if (home == null || home.isEmpty()) {
            home = ".";
        }
        return Path.of(home, ".agentchat", "servers.json");
    }

    static ObjectNode builtIn() {
        ObjectNode server = JsonNodeFactory.instance.objectNode();
        server.put("name", "AgentChat Public");
        server.put("url", BUILT_IN_URL);
        server.put("description", "Official public AgentChat server");
        server.put("region", "global");
        return server;
    }

    /** Reads the directory; a missing file is just the built-in server, a corrupt one is remembered (see {@link #corruption}). */
    static ServerDirectory load(Path file) {
        List<ObjectNode> servers = new ArrayList<>();
        servers.add(builtIn());
        String text;
        try {
            text = Files.readString(file, StandardCharsets.UTF_8);
        } catch (NoSuchFileException e) {
            return new ServerDirectory(file, servers, null);
        } catch (IOException e) {
            throw new LedgerFileException(file, "Cannot read server directory (" + e.getMessage() + ")");
        }
        String problem = merge(text, servers);
        if (problem != null) {
            servers.subList(1, servers.size()).clear();
        }
        return new ServerDirectory(file, servers, problem);
    }

    Path file() {
        return file;
    }

    /** What is wrong with the file, or null if it was fine (or absent). */
    String corruption() {
        return corruption;
    }

    List<ObjectNode> servers() {
        return List.copyOf(servers);
    }

    /**
     * Adds {@code server} or updates the entry with its URL, then saves.
     *
     * @return where a corrupt file was moved to, or null
     */
    Path add(ObjectNode server, long nowMillis) {
        String url = server.get("url").asText();
        ObjectNode existing = find(url);
        if (existing != null) {
            existing.setAll(server);
        } else {
            if (servers.size() >= MAX_SERVERS) {
                throw new IllegalStateException("The server directory is full (" + MAX_SERVERS + " entries)");
            }
            servers.add(server);
        }
        return save(nowMillis);
    }

    /**
     * Removes the entry with {@code url} and saves.
     *
     * @return where a corrupt file was moved to, or null
     * @throws IllegalArgumentException if there is no such entry or it is the built-in server
     */
    Path remove(String url, long nowMillis) {
        if (BUILT_IN_URL.equals(url)) {
            throw new IllegalArgumentException("Cannot remove the built-in server " + url);
        }
        ObjectNode existing = find(url);
        if (existing == null) {
            throw new IllegalArgumentException("Server not found: " + url);
        }
        servers.remove(existing);
        return save(nowMillis);
    }

    private ObjectNode find(String url) {
        for (ObjectNode server : servers) {
            if (url.equals(server.path("url").asText(null))) {
                return server;
            }
        }
        return null;
    }

    private Path save(long nowMillis) {
        Path aside = null;
        try {
            if (corruption != null && Files.exists(file)) {
                aside = file.resolveSibling(file.getFileName() + ".corrupt-" + nowMillis);
                Files.move(file, aside);
            }
            ObjectNode root = JsonNodeFactory.instance.objectNode();
            root.put("version", 1);
            root.put("updated_at", IsoTime.format(nowMillis));
            servers.forEach(root.putArray("servers")::add);
            AtomicFile.write(file, JsStringify.pretty(root).getBytes(StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new LedgerFileException(file, "Cannot write server directory (" + e.getMessage() + ")");
        }
        return aside;
    }

    /** Adds the file's servers not already listed (by URL); returns the problem if the file is unusable. */
    private static String merge(String text, List<ObjectNode> servers) {
        JsonNode root;
        try {
            root = JSON.readTree(text);
        } catch (JsonProcessingException e) {
            return "invalid JSON at line " + e.getLocation().getLineNr() + ", column " + e.getLocation().getColumnNr();
        }
        if (root == null || !root.isObject() || !root.path("servers").isArray()) {
            return "no \"servers\" array";
        }
        if (root.get("servers").size() > MAX_SERVERS) {
            return "more than " + MAX_SERVERS + " servers";
        }
        int index = 0;
        for (JsonNode entry : root.get("servers")) {
            if (!(entry instanceof ObjectNode server) || !server.path("url").isTextual()) {
                return "servers[" + index + "] has no \"url\"";
            }
            String url = server.get("url").asText();
            if (servers.stream().noneMatch(s -> url.equals(s.path("url").asText(null)))) {
                servers.add(server);
            }
            index++;
        }
        return null;
    }
}
