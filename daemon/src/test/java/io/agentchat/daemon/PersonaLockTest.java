package io.agentchat.daemon;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

@Timeout(value = 120, unit = TimeUnit.SECONDS)
class PersonaLockTest {

    @TempDir
    Path home;

    /** Starts {@link LockHolderMain} in a second JVM with this test's classpath. */
    static Process startHolder(Path home, String name) throws Exception {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        ProcessBuilder pb = new ProcessBuilder(java, "-Xshare:auto", "-XX:TieredStopAtLevel=1",
                LockHolderMain.class.getName(), "--home", home.toString(), "--name", name);
        pb.environment().put("CLASSPATH", ChildClassPath.get());
        pb.redirectError(ProcessBuilder.Redirect.INHERIT);
        return pb.start();
    }

    static String firstLine(Process p) throws Exception {
        BufferedReader out = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
        return CompletableFuture.supplyAsync(() -> {
            try {
                return out.readLine();
            } catch (Exception e) {
                return "ERROR " + e;
            }
        }).get(60, TimeUnit.SECONDS);
    }

    @Test
    void aSecondProcessCannotTakeTheLockAndTheStatusSeesTheHolder() throws Exception {
        PersonaPaths paths = PersonaPaths.of(home, "twin");
        Process holder = startHolder(home, "twin");
        try {
            String line = firstLine(holder);
            assertTrue(line.startsWith("LOCKED "), line);
            long pid = Long.parseLong(line.substring(7));
            assertEquals(holder.pid(), pid);

            assertTrue(PersonaLock.isHeld(paths.lockFile()));
            assertEquals(Optional.empty(), PersonaLock.tryAcquire(paths.lockFile(), Duration.ofMillis(100)));
            DaemonProcess.Status status = new DaemonProcess(paths).status();
            assertEquals(DaemonProcess.State.RUNNING, status.state());
            assertEquals(pid, status.pid().getAsLong());

            // A third process started while the lock is held is refused as well.
            Process third = startHolder(home, "twin");
            assertEquals("REFUSED", firstLine(third));
            assertTrue(third.waitFor(30, TimeUnit.SECONDS));

            // --stop signals it (its command line names our main class and the persona) and waits for the exit.
            DaemonProcess.StopResult stop = new DaemonProcess(paths).stop(Duration.ofSeconds(30));
            assertEquals(DaemonProcess.StopOutcome.STOPPED, stop.outcome(), stop.detail());
            assertFalse(holder.isAlive());
        } finally {
            holder.destroyForcibly();
        }
        // The kernel dropped the lock with the process: no stale state to clean up.
        assertFalse(PersonaLock.isHeld(paths.lockFile()));
        try (PersonaLock lock = PersonaLock.tryAcquire(paths.lockFile(), Duration.ZERO).orElseThrow()) {
            assertTrue(lock.isValid());
        }
    }

    @Test
    void inOneJvmTheSecondAcquireIsRefusedAndProbesDoNotReleaseTheLock() throws Exception {
        PersonaPaths paths = PersonaPaths.of(home, "solo").createDirectories();
        try (PersonaLock lock = PersonaLock.tryAcquire(paths.lockFile(), Duration.ZERO).orElseThrow()) {
            assertEquals(Optional.empty(), PersonaLock.tryAcquire(paths.lockFile(), Duration.ofMillis(50)));
            assertTrue(PersonaLock.isHeld(paths.lockFile()));
            assertTrue(lock.isValid());
            // Another JVM still sees it held after our in-process probes (they never opened the file).
            Process other = startHolder(home, "solo");
            assertEquals("REFUSED", firstLine(other));
            assertTrue(other.waitFor(30, TimeUnit.SECONDS));
        }
        assertFalse(PersonaLock.isHeld(paths.lockFile()));
        assertTrue(Files.exists(paths.lockFile()), "the lock file is never deleted");
    }

    @Test
    void probingAMissingPersonaCreatesNothing() {
        PersonaPaths paths = PersonaPaths.of(home, "ghost");
        assertFalse(PersonaLock.isHeld(paths.lockFile()));
        assertEquals(DaemonProcess.State.STOPPED, new DaemonProcess(paths).status().state());
        assertFalse(Files.exists(home.resolve(".agentchat")));
        assertEquals(List.of(), List.of(home.toFile().list()));
    }
}
