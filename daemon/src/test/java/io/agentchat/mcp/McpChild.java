package io.agentchat.mcp;

import io.agentchat.daemon.ChildClassPath;
import io.modelcontextprotocol.client.McpClient;
import io.modelcontextprotocol.client.McpSyncClient;
import io.modelcontextprotocol.client.transport.ServerParameters;
import io.modelcontextprotocol.client.transport.StdioClientTransport;
import io.modelcontextprotocol.json.McpJsonDefaults;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * A real {@code agentchat mcp} child JVM on the test class path, driven the way an agent host drives
 * it: the MCP SDK's own client over stdio.
 */
final class McpChild {

    private McpChild() {
    }

    /** {@code java ... io.agentchat.cli.Main <args>}; the caller puts {@link ChildClassPath} in {@code CLASSPATH}. */
    static List<String> command(String... args) {
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC", "io.agentchat.cli.Main"));
        command.addAll(List.of(args));
        return command;
    }

    /** An initialized SDK client of {@code agentchat mcp <args>}; closing it ends the child. */
    static McpSyncClient start(Map<String, String> env, String... args) {
        List<String> command = command(args);
        Map<String, String> withClassPath = new java.util.HashMap<>(env);
        withClassPath.put("CLASSPATH", ChildClassPath.get());
        ServerParameters parameters = ServerParameters.builder(command.get(0)).args(command.subList(1, command.size()))
                .env(withClassPath).build();
        McpSyncClient client = McpClient.sync(new StdioClientTransport(parameters, McpJsonDefaults.getMapper()))
                .requestTimeout(Duration.ofSeconds(60))
                .initializationTimeout(Duration.ofSeconds(60))
                .build();
        client.initialize();
        return client;
    }
}
