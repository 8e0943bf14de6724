package io.agentchat.mcp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.modelcontextprotocol.client.McpSyncClient;
import io.modelcontextprotocol.spec.McpSchema;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** Tool calls for tests, each checking the shape every answer must have. */
final class McpTools {

    private McpTools() {
    }

    /** A successful call's structured result, checked to equal its one text content. */
    @SuppressWarnings("unchecked")
    static Map<String, Object> ok(McpSyncClient client, String tool, Map<String, Object> arguments) {
        McpSchema.CallToolResult result = client.callTool(new McpSchema.CallToolRequest(tool, arguments));
        assertFalse(Boolean.TRUE.equals(result.isError()), tool + " failed: " + text(result));
        assertEquals(1, result.content().size(), tool);
        Map<String, Object> structured = (Map<String, Object>) result.structuredContent();
        assertTrue(text(result).startsWith("{"), text(result));
        assertEquals(structured, io.modelcontextprotocol.json.McpJsonDefaults.getMapper()
                .convertValue(parse(text(result)), Map.class), "text and structuredContent agree");
        return structured;
    }

    /** A refused call's message. */
    static String error(McpSyncClient client, String tool, Map<String, Object> arguments) {
        McpSchema.CallToolResult result = client.callTool(new McpSchema.CallToolRequest(tool, arguments));
        assertEquals(Boolean.TRUE, result.isError(), tool + " should be refused: " + text(result));
        return text(result);
    }

    /**
     * Waits (tool calls, each bounded) until {@code count} messages whose content starts with
     * {@code marker} have come; other tests' messages are passed over.
     */
    @SuppressWarnings("unchecked")
    static List<Map<String, Object>> waitFor(McpSyncClient client, String marker, int count) {
        List<Map<String, Object>> found = new ArrayList<>();
        long deadline = System.nanoTime() + 30_000_000_000L;
        while (found.size() < count && System.nanoTime() < deadline) {
            for (Object message : (List<Object>) ok(client, "agentchat_wait", Map.of("timeout_seconds", 5)).get("messages")) {
                Map<String, Object> m = (Map<String, Object>) message;
                if (String.valueOf(m.get("content")).startsWith(marker)) {
                    found.add(m);
                }
            }
        }
        return found;
    }

    /** Takes every message already waiting. */
    @SuppressWarnings("unchecked")
    static void drain(McpSyncClient client) {
        while (!((List<Object>) ok(client, "agentchat_wait", Map.of("timeout_seconds", 0)).get("messages")).isEmpty()) {
            // keep taking
        }
    }

    static String text(McpSchema.CallToolResult result) {
        return result.content().isEmpty() ? "" : ((McpSchema.TextContent) result.content().get(0)).text();
    }

    private static Object parse(String json) {
        try {
            return io.modelcontextprotocol.json.McpJsonDefaults.getMapper().readValue(json, Map.class);
        } catch (java.io.IOException e) {
            throw new AssertionError("not JSON: " + json, e);
        }
    }
}
