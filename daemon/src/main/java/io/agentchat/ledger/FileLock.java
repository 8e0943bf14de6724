package io.agentchat.ledger;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/**
 * An exclusive advisory lock on {@code <file>.lock}, held around a read-modify-write of {@code file}.
 * The lock lives on a sibling because the stores replace their file by rename, which would leave a
 * lock on the old inode useless. Several personas (daemons) in one working directory share the
 * ledger files, so their updates are serialised instead of lost.
 */
final class FileLock implements AutoCloseable {
    private final FileChannel channel;
    private final java.nio.channels.FileLock lock;

    private FileLock(FileChannel channel, java.nio.channels.FileLock lock) {
        this.channel = channel;
        this.lock = lock;
    }

    /** Blocks until the lock on {@code file}'s sibling {@code .lock} is held. */
    static FileLock acquire(Path file) {
        Path lockFile = file.resolveSibling(file.getFileName() + ".lock");
        try {
            Files.createDirectories(lockFile.toAbsolutePath().getParent());
            FileChannel channel = FileChannel.open(lockFile, StandardOpenOption.CREATE, StandardOpenOption.WRITE);
            try {
                return new FileLock(channel, lockWithin(channel));
            } catch (IOException | RuntimeException e) {
                channel.close();
                throw e;
            }
        } catch (IOException e) {
            throw new LedgerFileException(lockFile, "Cannot lock (" + e.getMessage() + ")");
        }
    }

    /**
     * {@code FileChannel.lock()} waits for other processes, but another thread of this JVM holding
     * the lock makes it throw instead; that case is retried for up to 10 s.
     */
    private static java.nio.channels.FileLock lockWithin(FileChannel channel) throws IOException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (true) {
            try {
                return channel.lock();
            } catch (OverlappingFileLockException e) {
                if (System.nanoTime() > deadline) {
                    throw new IOException("held by another thread for more than 10 s");
                }
                LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(2));
            }
        }
    }

    @Override
    public void close() {
        try {
            lock.release();
        } catch (IOException e) {
            // Closing the channel below releases it anyway.
        }
        try {
            channel.close();
        } catch (IOException e) {
            // Nothing left to release.
        }
    }
}
