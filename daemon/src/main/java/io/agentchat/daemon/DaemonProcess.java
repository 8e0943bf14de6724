package io.agentchat.daemon;

import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * What {@code --status}, {@code --list}, {@code --stop} and {@code --stop-all} know about one
 * persona's daemon process, from any shell, without trusting
 * (or signalling) a pid it cannot verify.
 *
 * <p>"Running" means: the persona lock is held by some process <em>and</em> the pid file names a
 * live process. A pid file alone proves nothing (it may name a dead PID or, after PID reuse, an
 * unrelated process); the lock alone does not give a PID to report. Nothing here creates,
 * rewrites or deletes a file: a stale pid file is reported, left in place, and overwritten by the
 * next daemon that takes the lock.
 *
 * <p>{@link #stop} signals only a process whose command line carries one of our markers and names
 * this persona, so a planted PID of an unrelated process (the original killed a {@code sleep}), or
 * a stale pid file naming another persona's daemon, is refused.
 */
public final class DaemonProcess {

    /** How a daemon's command line is recognised: the shaded jar, or any of our main classes. */
    public static final List<String> DEFAULT_MARKERS = List.of("agentchat.jar", "io.agentchat.");

    /** The three answers to "is it running". */
    public enum State {
        /** Lock held and the pid file names a live process. */
        RUNNING,
        /** Lock held, but no live PID recorded: a daemon between taking the lock and writing its pid. */
        LOCKED_NO_PID,
        /** Lock free: not running, whatever the pid file says. */
        STOPPED
    }

    /**
     * @param state the answer
     * @param pid the PID from the pid file when it parsed (&gt; 1), live or not
     * @param detail one human line, e.g. why a pid file is stale
     */
    public record Status(State state, OptionalLong pid, String detail) {
        public boolean running() {
            return state == State.RUNNING;
        }
    }

    public enum StopOutcome { STOPPED, NOT_RUNNING, NOT_OUR_PROCESS, TIMED_OUT }

    public record StopResult(StopOutcome outcome, OptionalLong pid, String detail) { }

    private final PersonaPaths paths;
    private final List<String> markers;

    public DaemonProcess(PersonaPaths paths) {
        this(paths, DEFAULT_MARKERS);
    }

    public DaemonProcess(PersonaPaths paths, List<String> commandLineMarkers) {
        this.paths = Objects.requireNonNull(paths, "paths");
        this.markers = List.copyOf(commandLineMarkers);
    }

    /** Read-only status; never creates or deletes anything. */
    public Status status() {
        PidFile pidFile = new PidFile(paths.pidFile());
        OptionalLong pid = pidFile.read();
        boolean locked = PersonaLock.isHeld(paths.lockFile());
        boolean alive = pid.isPresent() && ProcessHandle.of(pid.getAsLong()).map(ProcessHandle::isAlive).orElse(false);
        if (locked && alive) {
            return new Status(State.RUNNING, pid, "running");
        }
        if (locked) {
            return new Status(State.LOCKED_NO_PID, pid, "lock held but " + describePid(pidFile, pid, false));
        }
        if (!pidFile.exists()) {
            return new Status(State.STOPPED, pid, "not running");
        }
        return new Status(State.STOPPED, pid, "not running; stale pid file: " + describePid(pidFile, pid, alive));
    }

    /**
     * Sends SIGTERM to the daemon if it is running and verifiably ours, then waits up to
     * {@code timeout} for it to exit. Never sends SIGKILL: a daemon that does not exit in time is
     * reported as {@link StopOutcome#TIMED_OUT} and the caller decides.
     */
    public StopResult stop(Duration timeout) throws InterruptedException {
        Status status = status();
        if (!status.running()) {
            return new StopResult(StopOutcome.NOT_RUNNING, status.pid(), status.detail());
        }
        long pid = status.pid().getAsLong();
        Optional<ProcessHandle> handle = ProcessHandle.of(pid);
        if (handle.isEmpty()) {
            return new StopResult(StopOutcome.NOT_RUNNING, status.pid(), "process " + pid + " exited");
        }
        Optional<String> commandLine = handle.get().info().commandLine();
        if (commandLine.isEmpty() || !isOurs(commandLine.get())) {
            return new StopResult(StopOutcome.NOT_OUR_PROCESS, status.pid(),
                    "process " + pid + " is not an agentchat daemon (command line "
                            + commandLine.map(c -> "does not match").orElse("unreadable") + "); not signalled");
        }
        if (!handle.get().destroy()) {
            return new StopResult(StopOutcome.NOT_OUR_PROCESS, status.pid(), "process " + pid + " cannot be signalled");
        }
        try {
            handle.get().onExit().get(timeout.toMillis(), TimeUnit.MILLISECONDS);
            return new StopResult(StopOutcome.STOPPED, status.pid(), "stopped");
        } catch (TimeoutException e) {
            return new StopResult(StopOutcome.TIMED_OUT, status.pid(),
                    "process " + pid + " still running " + timeout.toMillis() + " ms after SIGTERM");
        } catch (ExecutionException e) {
            return new StopResult(StopOutcome.STOPPED, status.pid(), "stopped");
        }
    }

    /** One of our programs, running this persona: the persona lock is ours, but a pid file may be stale. */
    boolean isOurs(String commandLine) {
        return markers.stream().anyMatch(commandLine::contains) && paths.name().equals(personaOf(commandLine));
    }

    /**
     * The persona a command line runs, read as picocli reads {@code --name}/{@code -n} (value
     * separate, after {@code =} or attached; the last one wins), else the default persona. Persona
     * names never contain spaces, so splitting the space-joined command line loses nothing.
     */
    static String personaOf(String commandLine) {
        String name = PersonaPaths.DEFAULT_NAME;
        String[] args = commandLine.trim().split("\\s+");
        for (int i = 0; i < args.length; i++) {
            String arg = args[i];
            if ((arg.equals("--name") || arg.equals("-n")) && i + 1 < args.length) {
                name = args[++i];
            } else if (arg.startsWith("--name=")) {
                name = arg.substring("--name=".length());
            } else if (arg.startsWith("-n")) {
                // -nalice or -n=alice. A JVM flag such as -noverify reads as a name too, which only
                // ever makes us refuse to signal, never signal the wrong process.
                name = arg.substring(arg.startsWith("-n=") ? 3 : 2);
            }
        }
        return name;
    }

    private static String describePid(PidFile file, OptionalLong pid, boolean alive) {
        if (!file.exists()) {
            return "no pid file";
        }
        if (pid.isEmpty()) {
            return "pid file holds no valid PID (garbage, or a PID <= 1)";
        }
        return alive
                ? "pid " + pid.getAsLong() + " belongs to another process"
                : "pid " + pid.getAsLong() + " is not alive";
    }
}
