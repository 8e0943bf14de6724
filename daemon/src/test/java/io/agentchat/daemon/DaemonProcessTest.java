package io.agentchat.daemon;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.util.OptionalLong;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

@Timeout(value = 60, unit = TimeUnit.SECONDS)
class DaemonProcessTest {

    @TempDir
    Path home;

    @ParameterizedTest
    @ValueSource(strings = {"999999999", "abc", "-1", "0", "1", "", " 12x", "99999999999999999999"})
    void aStalePidFileIsNotRunningAndIsLeftUntouched(String content) throws Exception {
        PersonaPaths paths = PersonaPaths.of(home, "stale").createDirectories();
        Files.writeString(paths.pidFile(), content);
        FileTime before = Files.getLastModifiedTime(paths.pidFile());
        DaemonProcess process = new DaemonProcess(paths);

        DaemonProcess.Status status = process.status();
        assertEquals(DaemonProcess.State.STOPPED, status.state(), status.detail());
        assertFalse(status.running());
        assertTrue(status.detail().contains("stale pid file"), status.detail());
        assertEquals(DaemonProcess.StopOutcome.NOT_RUNNING, process.stop(Duration.ofSeconds(1)).outcome());

        assertEquals(content, Files.readString(paths.pidFile()), "read-only commands must not change it");
        assertEquals(before, Files.getLastModifiedTime(paths.pidFile()));
        assertFalse(Files.exists(paths.lockFile()), "a status probe must not create the lock file");
    }

    @Test
    void pidParsingRejectsEverythingThatCouldSignalTheWrongProcesses() {
        assertEquals(OptionalLong.of(15597), PidFile.parse("15597"));
        assertEquals(OptionalLong.of(15597), PidFile.parse("15597\n"));
        assertEquals(OptionalLong.empty(), PidFile.parse("-1"));
        assertEquals(OptionalLong.empty(), PidFile.parse("0"));
        assertEquals(OptionalLong.empty(), PidFile.parse("1"));
        assertEquals(OptionalLong.empty(), PidFile.parse("+5"));
        assertEquals(OptionalLong.empty(), PidFile.parse(null));
    }

    @Test
    void pidFileIsDecimalWithoutNewline() throws Exception {
        PersonaPaths paths = PersonaPaths.of(home, "p").createDirectories();
        PidFile pid = new PidFile(paths.pidFile());
        pid.write(15597);
        assertEquals("15597", Files.readString(paths.pidFile()));
        assertFalse(pid.deleteIfNames(15598));
        assertTrue(pid.deleteIfNames(15597));
        assertFalse(pid.exists());
    }

    @Test
    void aLiveUnrelatedProcessIsNeverSignalled() throws Exception {
        PersonaPaths paths = PersonaPaths.of(home, "victim").createDirectories();
        Process sleeper = new ProcessBuilder("sleep", "300").start();
        try {
            Files.writeString(paths.pidFile(), Long.toString(sleeper.pid()));
            DaemonProcess process = new DaemonProcess(paths);
            // Without the lock, a live PID is just a stale record.
            assertEquals(DaemonProcess.State.STOPPED, process.status().state());
            assertTrue(process.status().detail().contains("belongs to another process"), process.status().detail());
            assertEquals(DaemonProcess.StopOutcome.NOT_RUNNING, process.stop(Duration.ofSeconds(1)).outcome());
            // Even with the lock held (here by this JVM), a PID whose command line is not ours is refused.
            try (PersonaLock lock = PersonaLock.tryAcquire(paths.lockFile(), Duration.ZERO).orElseThrow()) {
                assertEquals(DaemonProcess.State.RUNNING, process.status().state());
                DaemonProcess.StopResult stop = process.stop(Duration.ofSeconds(1));
                assertEquals(DaemonProcess.StopOutcome.NOT_OUR_PROCESS, stop.outcome(), stop.detail());
            }
            assertTrue(sleeper.isAlive(), "the unrelated process must survive --stop");
        } finally {
            sleeper.destroyForcibly();
        }
    }

    @Test
    void aHeldLockWithoutAPidIsReportedAsStarting() throws Exception {
        PersonaPaths paths = PersonaPaths.of(home, "starting").createDirectories();
        try (PersonaLock lock = PersonaLock.tryAcquire(paths.lockFile(), Duration.ZERO).orElseThrow()) {
            DaemonProcess.Status status = new DaemonProcess(paths).status();
            assertEquals(DaemonProcess.State.LOCKED_NO_PID, status.state());
            assertFalse(status.running());
        }
    }

    @Test
    void stopForOnePersonaNeverSignalsAnotherPersonasDaemon() throws Exception {
        PersonaPaths alpha = PersonaPaths.of(home, "alpha");
        Process alphaDaemon = PersonaLockTest.startHolder(home, "alpha");
        Process betaDaemon = PersonaLockTest.startHolder(home, "beta");
        try {
            assertTrue(PersonaLockTest.firstLine(alphaDaemon).startsWith("LOCKED "));
            assertTrue(PersonaLockTest.firstLine(betaDaemon).startsWith("LOCKED "));
            // alpha holds its lock, but its pid file names beta's daemon (stale, e.g. after PID reuse).
            Files.writeString(alpha.pidFile(), Long.toString(betaDaemon.pid()));

            DaemonProcess.StopResult refused = new DaemonProcess(alpha).stop(Duration.ofSeconds(30));
            assertEquals(DaemonProcess.StopOutcome.NOT_OUR_PROCESS, refused.outcome(), refused.detail());
            assertTrue(betaDaemon.isAlive(), "--stop for alpha must not signal beta's daemon");

            Files.writeString(alpha.pidFile(), Long.toString(alphaDaemon.pid()));
            DaemonProcess.StopResult stopped = new DaemonProcess(alpha).stop(Duration.ofSeconds(30));
            assertEquals(DaemonProcess.StopOutcome.STOPPED, stopped.outcome(), stopped.detail());
            assertFalse(alphaDaemon.isAlive());
            assertTrue(betaDaemon.isAlive());
        } finally {
            alphaDaemon.destroyForcibly();
            betaDaemon.destroyForcibly();
        }
    }

    @Test
    void markersAndThePersonaNameRecogniseOurCommandLines() {
        DaemonProcess process = new DaemonProcess(PersonaPaths.of(home, "m"));
        assertTrue(process.isOurs("/usr/bin/java -jar /opt/agentchat/agentchat.jar daemon ws://x --name m"));
        assertTrue(process.isOurs("/usr/bin/java -cp a.jar io.agentchat.cli.Main daemon ws://x --name=m"));
        assertTrue(process.isOurs("java -jar agentchat.jar daemon ws://x -n m --background"));
        assertTrue(process.isOurs("java -jar agentchat.jar daemon ws://x -nm"));
        assertFalse(process.isOurs("/usr/bin/java -jar /opt/agentchat/agentchat.jar daemon ws://x --name m2"));
        assertFalse(process.isOurs("java -jar agentchat.jar daemon ws://x"), "no --name is the default persona");
        assertFalse(process.isOurs("sleep 300 --name m"));
        assertFalse(process.isOurs("sleep 300"));
        DaemonProcess fallback = new DaemonProcess(PersonaPaths.of(home, PersonaPaths.DEFAULT_NAME));
        assertTrue(fallback.isOurs("java -jar agentchat.jar daemon ws://x"));
        assertFalse(fallback.isOurs("java -jar agentchat.jar daemon ws://x --name m"));
    }
}
