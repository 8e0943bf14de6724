package io.agentchat.daemon;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class PersonaPathsTest {

    @TempDir
    Path tmp;

    @ParameterizedTest
    @ValueSource(strings = {"default", "alice", "A-b_9", "x"})
    void acceptsSafeNames(String name) {
        assertEquals(name, PersonaPaths.of(tmp, name).name());
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "../../escaped", "a/b", "bad name", ".", "..", "a.b", "é",
        "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"})
    void rejectsNamesThatCouldEscapeTheDirectory(String name) {
        InvalidPersonaNameException e =
                assertThrows(InvalidPersonaNameException.class, () -> PersonaPaths.of(tmp, name));
        assertTrue(e.getMessage().contains("Invalid persona name"));
    }

    @Test
    void sixtyFourCharactersIsTheLimit() {
        String name = "a".repeat(64);
        assertEquals(name, PersonaPaths.validateName(name));
        assertThrows(InvalidPersonaNameException.class, () -> PersonaPaths.validateName(null));
    }

    @Test
    void layoutMatchesTheOriginalAndIsAbsolute() {
        PersonaPaths p = PersonaPaths.of(tmp.resolve("x/../home"), "alice");
        Path dir = tmp.resolve("home/.agentchat/daemons/alice").toAbsolutePath().normalize();
        assertEquals(dir, p.dir());
        assertTrue(p.dir().isAbsolute());
        assertEquals(dir.resolve("inbox.jsonl"), p.inbox());
        assertEquals(dir.resolve("inbox.jsonl.1"), p.inboxRotated());
        assertEquals(dir.resolve("outbox.jsonl"), p.outbox());
        assertEquals(dir.resolve("daemon.pid"), p.pidFile());
        assertEquals(dir.resolve("daemon.log"), p.log());
        assertEquals(dir.resolve("newdata"), p.newdata());
        assertEquals(dir.resolve("last_ts"), p.lastTs());
        assertEquals(dir.resolve("daemon.lock"), p.lockFile());
        assertEquals(dir.resolve("outbox.offset"), p.outboxOffset());
        assertEquals(dir.resolve("outbox.rejected.jsonl"), p.outboxRejected());
        assertEquals(dir.resolve("stop"), p.waitStopFile());
        assertEquals(dir.resolve("daemon.stop"), p.daemonStopFile());
        assertEquals(tmp.resolve("home/.agentchat/stop").toAbsolutePath().normalize(), p.globalStopFile());
    }

    @Test
    void constructingPathsTouchesNothing() throws Exception {
        PersonaPaths p = PersonaPaths.of(tmp, "ghost");
        assertFalse(p.exists());
        assertFalse(Files.exists(tmp.resolve(".agentchat")));
        p.createDirectories();
        assertTrue(p.exists());
    }

    @Test
    void homeIsFlagThenEnvironmentThenWorkingDirectory() {
        Path cwd = tmp.resolve("cwd");
        Map<String, String> env = Map.of(PersonaPaths.HOME_ENV, tmp.resolve("env").toString());
        assertEquals(tmp.resolve("flag"), PersonaPaths.resolveHome(tmp.resolve("flag").toString(), env, cwd));
        assertEquals(tmp.resolve("env"), PersonaPaths.resolveHome(null, env, cwd));
        assertEquals(cwd, PersonaPaths.resolveHome(null, Map.of(), cwd));
        assertEquals(cwd, PersonaPaths.resolveHome("  ", Map.of(PersonaPaths.HOME_ENV, ""), cwd));
        assertEquals(cwd.resolve("rel"), PersonaPaths.resolveHome("rel", Map.of(), cwd));
    }
}
