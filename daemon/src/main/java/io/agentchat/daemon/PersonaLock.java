package io.agentchat.daemon;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/**
 * The exclusive lock on {@code daemon.lock} that makes "one persona = one process" true. The kernel
 * releases it when the process dies, so it cannot go stale.
 *
 * <p>Acquiring is atomic in the kernel, so two daemons started at the same instant cannot both
 * win (the original's check-then-write could). The kernel drops the lock when the holder dies,
 * even by SIGKILL, so a lock can never go stale the way a pid file does; "is it running" becomes
 * "is the lock held". The lock file is never deleted: deleting a lock file lets a second process
 * lock a new inode while the first still holds the old one.
 *
 * <p>Linux implements Java file locks as POSIX record locks, which belong to the process and are
 * released when <em>any</em> descriptor of the file is closed by that process. A probe that opened
 * and closed the lock file inside the daemon's own JVM would therefore silently release the
 * daemon's lock. {@link #HELD_IN_THIS_JVM} records the files this process holds so that neither
 * {@link #isHeld} nor {@link #tryAcquire} ever opens them again; it mirrors per-process kernel
 * state, which is why it is static.
 */
public final class PersonaLock implements AutoCloseable {

    private static final Set<Path> HELD_IN_THIS_JVM = ConcurrentHashMap.newKeySet();
    private static final long RETRY_NANOS = TimeUnit.MILLISECONDS.toNanos(10);

    private final Path path;
    private final FileChannel channel;
    private final FileLock lock;

    private PersonaLock(Path path, FileChannel channel, FileLock lock) {
        this.path = path;
        this.channel = channel;
        this.lock = lock;
    }

    /**
     * Takes the exclusive lock, creating the file if needed. Returns empty when another holder
     * keeps it for all of {@code patience}; the short patience absorbs {@link #isHeld} probes
     * from {@code --status}, which hold a shared lock for microseconds.
     */
    public static Optional<PersonaLock> tryAcquire(Path lockFile, Duration patience) throws IOException {
        Path key = lockFile.toAbsolutePath().normalize();
        if (!HELD_IN_THIS_JVM.add(key)) {
            return Optional.empty();
        }
        FileChannel channel = null;
        try {
            channel = FileChannel.open(key, StandardOpenOption.CREATE, StandardOpenOption.READ,
                    StandardOpenOption.WRITE);
            long deadline = System.nanoTime() + patience.toNanos();
            while (true) {
                FileLock lock = channel.tryLock();
                if (lock != null) {
                    return Optional.of(new PersonaLock(key, channel, lock));
                }
                if (System.nanoTime() - deadline >= 0) {
                    break;
                }
                LockSupport.parkNanos(RETRY_NANOS);
            }
        } catch (IOException | RuntimeException e) {
            closeQuietly(channel);
            HELD_IN_THIS_JVM.remove(key);
            throw e;
        }
        closeQuietly(channel);
        HELD_IN_THIS_JVM.remove(key);
        return Optional.empty();
    }

    /**
     * Whether some process holds the lock. Read-only: a missing file means "not held" and is not
     * created; the probe takes a shared lock on a read-only channel and releases it at once.
     */
    public static boolean isHeld(Path lockFile) {
        Path key = lockFile.toAbsolutePath().normalize();
        if (HELD_IN_THIS_JVM.contains(key)) {
            return true;
        }
        if (!Files.isRegularFile(key)) {
            return false;
        }
        try (FileChannel channel = FileChannel.open(key, StandardOpenOption.READ)) {
            FileLock probe = channel.tryLock(0, Long.MAX_VALUE, true);
            if (probe == null) {
                return true;
            }
            probe.release();
            return false;
        } catch (OverlappingFileLockException e) {
            return true;
        } catch (IOException e) {
            // Unreadable lock file: we cannot tell, and "held" is the answer that prevents a
            // second daemon and a wrong "stopped" report.
            return true;
        }
    }

    public Path path() {
        return path;
    }

    /** Whether this instance still holds its lock. */
    public boolean isValid() {
        return lock.isValid();
    }

    /** Releases the lock (idempotent); the file stays. */
    @Override
    public void close() {
        if (!channel.isOpen()) {
            return;
        }
        try {
            lock.release();
        } catch (IOException ignored) {
            // Closing the channel below releases it anyway.
        } finally {
            closeQuietly(channel);
            HELD_IN_THIS_JVM.remove(path);
        }
    }

    private static void closeQuietly(FileChannel channel) {
        if (channel == null) {
            return;
        }
        try {
            channel.close();
        } catch (IOException ignored) {
            // Nothing useful to do: the descriptor is gone either way.
        }
    }
}
