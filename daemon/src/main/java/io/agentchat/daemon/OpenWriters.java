package io.agentchat.daemon;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.HashMap;
import java.util.Map;
import java.util.OptionalLong;

/**
 * Finds a process that holds a file open for writing, from Linux's {@code /proc} (each
 * {@code fd} link, then the access mode in {@code fdinfo}).
 *
 * <p>Why: the outbox is compacted by renaming it and deleting the renamed file once drained. A
 * writer that keeps {@code outbox.jsonl} open (instead of opening it per line as {@code echo >>}
 * and chat.py do) would go on appending to the renamed file, and after the deletion to nothing.
 * Asking this first lets the consumer leave a held file alone, so such a writer loses nothing.
 *
 * <p>Only processes this user may inspect are seen. Without {@code /proc} nothing is found, and
 * the behaviour is the documented one: writers must not hold the outbox open. A scan reads every
 * process's fd table, so answers are cached per file for {@code recheckNanos}.
 */
final class OpenWriters {

    private static final Path PROC = Path.of("/proc");

    private record Cached(long atNanos, OptionalLong pid) {
    }

    private final long recheckNanos;
    private final Map<String, Cached> cache = new HashMap<>();

    OpenWriters(long recheckNanos) {
        this.recheckNanos = recheckNanos;
    }

    /**
     * A process holding the file whose identity is {@code key} (as {@link OutboxGeneration#keyOf})
     * open with write access, cached per key; empty when there is none, or none that can be seen.
     * Only descriptors on paths in {@code dir} starting with {@code outbox.jsonl} are examined: the
     * inode may have been renamed within the directory, never out of it.
     *
     * @throws IOException when {@code /proc} exists but could not be read, so the answer is unknown
     */
    OptionalLong writerOf(Path dir, String key) throws IOException {
        long now = System.nanoTime();
        Cached cached = cache.get(key);
        if (cached != null && now - cached.atNanos() < recheckNanos) {
            return cached.pid();
        }
        OptionalLong pid = scan(dir, key);
        cache.put(key, new Cached(now, pid));
        return pid;
    }

    /** Forgets cached answers for files no longer of interest. */
    void forget(String key) {
        cache.remove(key);
    }

    static OptionalLong scan(Path dir, String key) throws IOException {
        if (!Files.isDirectory(PROC.resolve("self").resolve("fd"))) {
            return OptionalLong.empty();
        }
        String prefix = dir.toRealPath().resolve("outbox.jsonl").toString();
        try (DirectoryStream<Path> processes = Files.newDirectoryStream(PROC, p -> isNumber(p.getFileName()))) {
            for (Path process : processes) {
                if (holdsForWriting(process, prefix, key)) {
                    return OptionalLong.of(Long.parseLong(process.getFileName().toString()));
                }
            }
        } catch (java.io.UncheckedIOException e) {
            throw e.getCause();
        }
        return OptionalLong.empty();
    }

    private static boolean holdsForWriting(Path process, String prefix, String key) {
        try (DirectoryStream<Path> fds = Files.newDirectoryStream(process.resolve("fd"))) {
            for (Path fd : fds) {
                try {
                    // Cheap test first: the link names a path in the persona's directory.
                    if (Files.readSymbolicLink(fd).toString().startsWith(prefix)
                            && key.equals(String.valueOf(Files.readAttributes(fd, BasicFileAttributes.class).fileKey()))
                            && writable(process.resolve("fdinfo").resolve(fd.getFileName()))) {
                        return true;
                    }
                } catch (IOException | RuntimeException e) {
                    // The fd was closed or the process ended while we looked: not a holder.
                }
            }
        } catch (IOException | RuntimeException e) {
            // Another user's process, or one that ended: cannot be inspected.
        }
        return false;
    }

    /** The {@code flags:} line of fdinfo is octal; O_WRONLY is 1 and O_RDWR 2. */
    private static boolean writable(Path fdinfo) throws IOException {
        for (String line : Files.readString(fdinfo, StandardCharsets.US_ASCII).split("\n")) {
            if (line.startsWith("flags:")) {
                return (Long.parseLong(line.substring(6).trim(), 8) & 3) != 0;
            }
        }
        return false;
    }

    private static boolean isNumber(Path name) {
        String s = name.toString();
        for (int i = 0; i < s.length(); i++) {
            if (!Character.isDigit(s.charAt(i))) {
                return false;
            }
        }
        return !s.isEmpty();
    }
}
