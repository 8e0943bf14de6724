package io.agentchat.daemon;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStreamWriter;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

/**
 * A writer process that opens the outbox once and keeps it open (O_APPEND), writing each line it
 * is given on stdin through that one descriptor; it closes the file and exits at end of input.
 * The pattern a long-running agent script may use instead of opening the file per line.
 */
final class HeldOutboxWriter implements AutoCloseable {

    private static final String SCRIPT = """
            import os, sys
            fd = os.open(sys.argv[1], os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)
            print("opened", flush=True)
            for line in sys.stdin:
                os.write(fd, line.encode())
                print("wrote", flush=True)
            os.close(fd)
            """;

    private final Process process;
    private final Writer commands;
    private final BufferedReader replies;

    HeldOutboxWriter(Path outbox) throws IOException {
        process = new ProcessBuilder("python3", "-c", SCRIPT, outbox.toString())
                .redirectError(ProcessBuilder.Redirect.INHERIT).start();
        commands = new OutputStreamWriter(process.getOutputStream(), StandardCharsets.UTF_8);
        replies = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
        expect("opened");
    }

    /** Appends {@code line} (with its newline) through the held descriptor; returns once written. */
    void write(String line) throws IOException {
        commands.write(line);
        commands.flush();
        expect("wrote");
    }

    private void expect(String reply) throws IOException {
        String got = replies.readLine();
        if (!reply.equals(got)) {
            throw new IOException("writer process said " + got + " instead of " + reply);
        }
    }

    /** Closes the descriptor (end of input) and waits for the process. */
    @Override
    public void close() throws IOException {
        commands.close();
        try {
            if (!process.waitFor(10, TimeUnit.SECONDS)) {
                process.destroyForcibly();
            }
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
        }
    }
}
