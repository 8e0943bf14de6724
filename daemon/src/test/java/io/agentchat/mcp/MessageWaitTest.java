package io.agentchat.mcp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.agentchat.daemon.PersonaPaths;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What {@code agentchat_wait} takes from a real inbox file, and how it cuts batches. */
class MessageWaitTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path home;

    @Test
    void recoveredMessagesAreNewReplayedOnesOwnOnesAndServerNoticesAreNot() throws Exception {
        PersonaPaths paths = PersonaPaths.of(home, "p").createDirectories();
        MessageWait wait = new MessageWait(InboxCursor.atEnd(paths), () -> "@self", JSON);
        append(paths, msg("@bob", "#general", "replayed", 1).replace("}", ",\"replay\":true}"));
        append(paths, msg("@bob", "#general", "recovered", 2));
        append(paths, msg("@self", "#general", "my own", 3));
        append(paths, msg("@server", "#general", "Welcome to #general", 4));
        append(paths, "{\"type\":\"AGENT_JOINED\",\"channel\":\"#general\",\"agent\":\"@carol\",\"ts\":5}");
        append(paths, "not json at all");
        append(paths, msg("@bob", "@self", "a dm", 6).replace("}", ",\"verified\":true}"));

        List<ObjectNode> got = wait.next(Duration.ZERO);
        assertEquals(2, got.size(), got.toString());
        assertEquals("{\"from\":\"@bob\",\"to\":\"#general\",\"content\":\"recovered\",\"ts\":2,\"verified\":false}",
                got.get(0).toString());
        assertEquals("{\"from\":\"@bob\",\"to\":\"@self\",\"content\":\"a dm\",\"ts\":6,\"verified\":true}",
                got.get(1).toString());
        assertEquals(List.of(), wait.next(Duration.ZERO), "taken once");
    }

    @Test
    void aBatchHoldsAtMostFiftyMessagesAndAbout32KbTheRestComeNext() throws Exception {
        PersonaPaths paths = PersonaPaths.of(home, "q").createDirectories();
        MessageWait wait = new MessageWait(InboxCursor.atEnd(paths), () -> "@self", JSON);
        for (int i = 0; i < 60; i++) {
            append(paths, msg("@bob", "#general", "short " + i, i));
        }
        assertEquals(50, wait.next(Duration.ZERO).size());
        List<ObjectNode> rest = wait.next(Duration.ZERO);
        assertEquals(10, rest.size());
        assertEquals("short 50", rest.get(0).get("content").asText(), "oldest first, none lost");

        String big = "x".repeat(4000);
        for (int i = 0; i < 20; i++) {
            append(paths, msg("@bob", "#general", big, i));
        }
        List<ObjectNode> first = wait.next(Duration.ZERO);
        int bytes = first.stream().mapToInt(m -> m.toString().getBytes(StandardCharsets.UTF_8).length).sum();
        assertTrue(bytes <= MessageWait.MAX_BYTES, bytes + " bytes");
        assertEquals(8, first.size());
        assertEquals(12, wait.next(Duration.ZERO).size() + wait.next(Duration.ZERO).size());
    }

    private static String msg(String from, String to, String content, long ts) throws Exception {
        ObjectNode frame = JSON.createObjectNode().put("type", "MSG").put("from", from).put("to", to)
                .put("content", content).put("ts", ts);
        return JSON.writeValueAsString(frame);
    }

    private static void append(PersonaPaths paths, String line) throws Exception {
        Files.writeString(paths.inbox(), line + "\n", StandardOpenOption.CREATE, StandardOpenOption.APPEND);
    }
}
