package io.agentchat.daemon;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;

/**
 * A stand-in daemon run in a second JVM by the tests: takes the persona lock, writes the pid file,
 * prints {@code LOCKED <pid>} (or {@code REFUSED}), then holds the lock until stdin closes or it
 * is signalled. Its arguments are {@code --home <dir> --name <persona>}, so its command line names
 * its persona as a real daemon's does.
 */
public final class LockHolderMain {

    private LockHolderMain() {
    }

    public static void main(String[] args) throws IOException {
        PersonaPaths paths = PersonaPaths.of(Path.of(args[1]), args[3]).createDirectories();
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
