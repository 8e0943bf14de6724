package io.agentchat.mcp;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.agentchat.daemon.PersonaPaths;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The wait's own position in a real inbox file: only new, complete lines, once, across a rotation. */
class InboxCursorTest {

    @TempDir
    Path home;

    @Test
    void startsAtTheEndTakesOnlyCompleteLinesAndFollowsARotation() throws Exception {
        PersonaPaths paths = PersonaPaths.of(home, "p").createDirectories();
        append(paths.inbox(), "old-1\nold-2\n");
        InboxCursor cursor = InboxCursor.atEnd(paths);
        assertEquals(List.of(), cursor.next(), "what was there before is not new");

        append(paths.inbox(), "new-1\nnew-2 half");
        assertEquals(List.of("new-1"), cursor.next(), "a line still being written waits");
        append(paths.inbox(), " done\nnew-3\n");
        // The writer rotates, as InboxWriter does: rename to .1, start a new file.
        Files.move(paths.inbox(), paths.inboxRotated(), StandardCopyOption.REPLACE_EXISTING);
        append(paths.inbox(), "after-1\n");
        assertEquals(List.of("new-2 half done", "new-3", "after-1"), cursor.next());
        assertEquals(List.of(), cursor.next());
    }

    @Test
    void aMissingInboxIsReadFromItsStartOnceItAppears() throws Exception {
        PersonaPaths paths = PersonaPaths.of(home, "q").createDirectories();
        InboxCursor cursor = InboxCursor.atEnd(paths);
        assertEquals(List.of(), cursor.next());
        append(paths.inbox(), "first\n");
        assertEquals(List.of("first"), cursor.next());
    }

    private static void append(Path file, String text) throws Exception {
        Files.writeString(file, text, StandardOpenOption.CREATE, StandardOpenOption.APPEND);
    }
}
