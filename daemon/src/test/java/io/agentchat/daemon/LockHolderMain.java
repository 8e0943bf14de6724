package io.agentchat.daemon;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;

/**
 * A stand-in daemon run in a second JVM by the tests: takes the persona lock, writes the pid file,
 * prints {@code LOCKED <pid>} (or {@code REFUSED}), then holds the lock until stdin closes or it
 * is signalled.
 */
public final class LockHolderMain {

    private LockHolderMain() {
    }

    public static void main(String[] args) throws IOException {
        PersonaPaths paths = PersonaPaths.of(Path.of(args[0]), args[1]).createDirectories();
        Optional<PersonaLock> lock = PersonaLock.tryAcquire(paths.lockFile(), Duration.ZERO);
        if (lock.isEmpty()) {
            System.out.println("REFUSED");
            System.out.flush();
            return;
        }
        long pid = ProcessHandle.current().pid();
        new PidFile(paths.pidFile()).write(pid);
        System.out.println("LOCKED " + pid);
        System.out.flush();
        while (System.in.read() >= 0) {
            // hold until the parent closes our stdin
        }
        lock.get().close();
    }
}
