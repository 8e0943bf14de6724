package io.agentchat.daemon;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Real concurrent writer processes: each is a python3 loop that appends
 * {@code {"to":<channel>,"content":"w<k>-<i>"}} lines with one open(O_APPEND)/write/close per line,
 * as {@code echo >>} and chat.py do, pausing {@code pauseMs} between lines.
 */
final class OutboxWriters implements AutoCloseable {

    private static final String SCRIPT = """
            import os, sys, time
            path, tag, n, pause, to = sys.argv[1], sys.argv[2], int(sys.argv[3]), float(sys.argv[4]), sys.argv[5]
            for i in range(n):
                fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)
                os.write(fd, ('{"to":"%s","content":"%s-%d"}\\n' % (to, tag, i)).encode())
                os.close(fd)
                if pause > 0:
                    time.sleep(pause)
            """;

    private final List<Process> processes = new ArrayList<>();

    OutboxWriters(Path outbox, int writers, int lines, double pauseMs, String to) throws IOException {
        for (int k = 0; k < writers; k++) {
            processes.add(new ProcessBuilder("python3", "-c", SCRIPT, outbox.toString(), "w" + k,
                    Integer.toString(lines), Double.toString(pauseMs / 1000.0), to)
                    .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start());
        }
    }

    /** Waits for every writer; returns their exit codes. */
    List<Integer> await(long seconds) throws InterruptedException {
        List<Integer> codes = new ArrayList<>();
        for (Process p : processes) {
            if (!p.waitFor(seconds, TimeUnit.SECONDS)) {
                throw new AssertionError("writer still running after " + seconds + " s");
            }
            codes.add(p.exitValue());
        }
        return codes;
    }

    @Override
    public void close() {
        processes.forEach(Process::destroyForcibly);
    }
}
