package io.agentchat.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.agentchat.daemon.DaemonProcess;
import io.agentchat.daemon.InboxTail;
import io.agentchat.daemon.PersonaPaths;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintWriter;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * {@code daemon --status | --list | --stop | --stop-all}: the original's outputs, from
 * any shell. Read-only except for the signal {@code --stop} sends: nothing is created or deleted,
 * whatever the files say. "Running" is decided by the persona lock ({@link DaemonProcess}).
 */
final class DaemonQueries {

    /** How long {@code --stop} waits for a clean exit before reporting failure (never SIGKILL). */
    static final Duration STOP_TIMEOUT = Duration.ofSeconds(15);
    private static final ObjectMapper JSON = new ObjectMapper();

    private final Path home;
    private final PrintWriter out;
    private final PrintWriter err;

    DaemonQueries(Path home, PrintWriter out, PrintWriter err) {
        this.home = home;
        this.out = out;
        this.err = err;
    }

    int status(String name) throws IOException {
        PersonaPaths paths = PersonaPaths.of(home, name);
        DaemonProcess.Status status = new DaemonProcess(paths).status();
        if (!status.running()) {
            out.println("Daemon '" + name + "' is not running");
            return ExitCodes.OK;
        }
        out.println("Daemon '" + name + "' is running:");
        out.println("  PID: " + status.pid().getAsLong());
        out.println("  Inbox: " + paths.inbox() + " (" + countLines(paths.inbox()) + " messages)");
        out.println("  Outbox: " + paths.outbox());
        out.println("  Log: " + paths.log());
        List<String> last = InboxTail.lastLines(paths.inbox(), 64 * 1024);
        if (!last.isEmpty() && isJson(last.get(last.size() - 1))) {
            String line = last.get(last.size() - 1);
            out.println("  Last message: " + line.substring(0, Math.min(80, line.length())) + "...");
        }
        return ExitCodes.OK;
    }

    int list() throws IOException {
        List<String> names = personas();
        if (names.isEmpty()) {
            out.println("No daemon instances found in " + daemonsDir());
            return ExitCodes.OK;
        }
        out.println("Daemon instances:");
        for (String name : names) {
            DaemonProcess.Status status = new DaemonProcess(PersonaPaths.of(home, name)).status();
            out.println("  " + name + ": " + (status.running() ? "running (PID: " + status.pid().getAsLong() + ")"
                    : "stopped"));
        }
        return ExitCodes.OK;
    }

    int stop(String name) throws InterruptedException {
        DaemonProcess.StopResult result = new DaemonProcess(PersonaPaths.of(home, name)).stop(STOP_TIMEOUT);
        switch (result.outcome()) {
            case STOPPED -> out.println("Daemon '" + name + "' stopped (PID: " + result.pid().getAsLong() + ")");
            case NOT_RUNNING -> out.println("Daemon not running");
            default -> {
                err.println("Error: Daemon '" + name + "': " + result.detail());
                return ExitCodes.FAILURE;
            }
        }
        return ExitCodes.OK;
    }

    int stopAll() throws IOException, InterruptedException {
        int rc = ExitCodes.OK;
        boolean any = false;
        for (String name : personas()) {
            DaemonProcess process = new DaemonProcess(PersonaPaths.of(home, name));
            if (!process.status().running()) {
                continue;
            }
            any = true;
            DaemonProcess.StopResult result = process.stop(STOP_TIMEOUT);
            switch (result.outcome()) {
                case STOPPED -> out.println("Stopped " + name + " (PID: " + result.pid().getAsLong() + ")");
                case NOT_RUNNING -> { }
                default -> {
                    err.println("Error: Daemon '" + name + "': " + result.detail());
                    rc = ExitCodes.FAILURE;
                }
            }
        }
        if (!any) {
            out.println("No running daemons to stop");
        }
        return rc;
    }

    private Path daemonsDir() {
        return home.resolve(".agentchat").resolve("daemons");
    }

    /** Sub-directories with valid persona names, in directory order (as the original's readdir). */
    private List<String> personas() throws IOException {
        List<String> names = new ArrayList<>();
        if (!Files.isDirectory(daemonsDir())) {
            return names;
        }
        try (DirectoryStream<Path> entries = Files.newDirectoryStream(daemonsDir(), Files::isDirectory)) {
            for (Path entry : entries) {
                String name = entry.getFileName().toString();
                if (PersonaPaths.NAME_PATTERN.matcher(name).matches()) {
                    names.add(name);
                }
            }
        }
        return names;
    }

    private static long countLines(Path file) throws IOException {
        if (!Files.isRegularFile(file)) {
            return 0;
        }
        long lines = 0;
        byte[] buffer = new byte[64 * 1024];
        try (InputStream in = Files.newInputStream(file)) {
            for (int n = in.read(buffer); n > 0; n = in.read(buffer)) {
                for (int i = 0; i < n; i++) {
                    if (buffer[i] == '\n') {
                        lines++;
                    }
                }
            }
        }
        return lines;
    }

    private static boolean isJson(String line) {
        try {
            return JSON.readTree(line) != null;
        } catch (IOException e) {
            return false;
        }
    }
}
