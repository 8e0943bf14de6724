package io.agentchat.daemon;

import java.io.IOException;
import java.io.OutputStream;
import java.io.FileOutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Objects;

/**
 * {@code daemon.log} with size-based rotation (the original's log grew without bound):
 * when the next line would pass {@code maxBytes}, {@code daemon.log.(k)} becomes
 * {@code daemon.log.(k+1)} (the oldest of {@code keep} is dropped), {@code daemon.log} becomes
 * {@code daemon.log.1}, and a new file is started. Each line is one append, so {@code tail -F}
 * follows it across rotations. Thread-safe.
 */
public final class RotatingLog implements AutoCloseable {

    /** 5 files of 1 MiB, so the log stays bounded. */
    public static final long DEFAULT_MAX_BYTES = 1024 * 1024;
    public static final int DEFAULT_KEEP = 5;

    private final Path file;
    private final long maxBytes;
    private final int keep;
    /**
     * A plain stream, not a {@link java.nio.channels.FileChannel}: any thread may log, and a
     * FileChannel is closed for good when a thread writing to it is interrupted (a client
     * dispatcher being shut down did exactly that, silencing the log for the rest of the run).
     */
    private FileOutputStream stream;
    private long size;

    public RotatingLog(Path file, long maxBytes, int keep) throws IOException {
        this.file = Objects.requireNonNull(file, "file").toAbsolutePath();
        if (maxBytes < 1024 || keep < 1) {
            throw new IllegalArgumentException("maxBytes >= 1024 and keep >= 1");
        }
        this.maxBytes = maxBytes;
        this.keep = keep;
        Files.createDirectories(this.file.getParent());
        open();
    }

    public Path file() {
        return file;
    }

    /** Appends {@code bytes} (one or more whole lines), rotating first if they would not fit. */
    public synchronized void append(byte[] bytes) throws IOException {
        if (stream == null) {
            return;
        }
        if (size > 0 && size + bytes.length > maxBytes) {
            rotate();
        }
        stream.write(bytes);
        size += bytes.length;
    }

    private void rotate() throws IOException {
        stream.close();
        Files.deleteIfExists(generation(keep));
        for (int k = keep - 1; k >= 1; k--) {
            Path from = generation(k);
            if (Files.exists(from)) {
                Files.move(from, generation(k + 1), StandardCopyOption.REPLACE_EXISTING);
            }
        }
        if (keep == 1) {
            Files.deleteIfExists(generation(1));
        }
        Files.move(file, generation(1), StandardCopyOption.REPLACE_EXISTING);
        open();
    }

    private Path generation(int k) {
        return file.resolveSibling(file.getFileName() + "." + k);
    }

    private void open() throws IOException {
        stream = new FileOutputStream(file.toFile(), true);
        size = Files.size(file);
    }

    /**
     * An {@link OutputStream} that hands whole lines to this log (a logger's {@code println} may
     * arrive in pieces) and passes each line to {@code mirror} as well (e.g. the console).
     */
    public OutputStream lineStream(LineMirror mirror) {
        return new OutputStream() {
            private final java.io.ByteArrayOutputStream pending = new java.io.ByteArrayOutputStream();

            @Override
            public synchronized void write(int b) throws IOException {
                pending.write(b);
                if (b == '\n') {
                    emit();
                }
            }

            @Override
            public synchronized void write(byte[] b, int off, int len) throws IOException {
                for (int i = 0; i < len; i++) {
                    write(b[off + i]);
                }
            }

            private void emit() throws IOException {
                byte[] line = pending.toByteArray();
                pending.reset();
                append(line);
                mirror.accept(line);
            }
        };
    }

    /** Receives each complete line written through {@link #lineStream}. */
    @FunctionalInterface
    public interface LineMirror {
        void accept(byte[] line);
    }

    @Override
    public synchronized void close() throws IOException {
        if (stream != null) {
            stream.close();
            stream = null;
        }
    }
}
