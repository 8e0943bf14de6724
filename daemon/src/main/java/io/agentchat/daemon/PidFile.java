package io.agentchat.daemon;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Objects;
import java.util.OptionalLong;

/**
 * {@code daemon.pid}: the decimal PID of the running daemon, no newline (the original's format),
 * so scripts that {@code cat} it keep working.
 *
 * <p>Unlike the original, the file is informational only: whether a daemon runs is decided by
 * {@link PersonaLock}, and {@link #read()} treats garbage and PIDs ≤ 1 as absent, so a
 * planted {@code -1} or {@code 0} can never be signalled. Reading never deletes or rewrites it.
 */
public final class PidFile {

    private final Path path;

    public PidFile(Path path) {
        this.path = Objects.requireNonNull(path, "path").toAbsolutePath();
    }

    public Path path() {
        return path;
    }

    /** The PID in the file; empty when the file is missing, unreadable, garbage or ≤ 1. */
    public OptionalLong read() {
        try {
            return parse(Files.readString(path, StandardCharsets.UTF_8));
        } catch (NoSuchFileException e) {
            return OptionalLong.empty();
        } catch (IOException e) {
            return OptionalLong.empty();
        }
    }

    /** Whether the file exists at all (a stale or garbage file still exists). */
    public boolean exists() {
        return Files.exists(path);
    }

    /** Parses pid text as the original writes it; tolerates surrounding whitespace. */
    public static OptionalLong parse(String text) {
        if (text == null) {
            return OptionalLong.empty();
        }
        String trimmed = text.strip();
        if (trimmed.isEmpty() || trimmed.length() > 19 || !trimmed.chars().allMatch(Character::isDigit)) {
            return OptionalLong.empty();
        }
        long pid = Long.parseLong(trimmed);
        // 0 and 1 (and anything negative, excluded above) would signal a process group or init.
        return pid <= 1 ? OptionalLong.empty() : OptionalLong.of(pid);
    }

    /**
     * Writes {@code pid} via a temporary file and an atomic rename, so a concurrent reader sees
     * either the old complete content or the new one, never an empty or half-written file.
     * Call only while holding the {@link PersonaLock}.
     */
    public void write(long pid) throws IOException {
        if (pid <= 1) {
            throw new IllegalArgumentException("not a daemon pid: " + pid);
        }
        Path tmp = path.resolveSibling(path.getFileName() + ".tmp");
        Files.writeString(tmp, Long.toString(pid), StandardCharsets.UTF_8);
        Files.move(tmp, path, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }

    /**
     * Deletes the file if it still names {@code pid}: a clean shutdown removes its own record and
     * never one written by a successor.
     */
    public boolean deleteIfNames(long pid) throws IOException {
        OptionalLong current = read();
        if (current.isPresent() && current.getAsLong() == pid) {
            return Files.deleteIfExists(path);
        }
        return false;
    }
}
