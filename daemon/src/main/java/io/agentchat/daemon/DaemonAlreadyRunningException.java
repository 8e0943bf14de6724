package io.agentchat.daemon;

import java.util.OptionalLong;

/** Another process holds the persona's lock; the CLI prints the original's two lines. */
public final class DaemonAlreadyRunningException extends RuntimeException {

    private static final long serialVersionUID = 1L;
    private final String persona;
    private final transient OptionalLong pid;

    public DaemonAlreadyRunningException(String persona, OptionalLong pid) {
        super("Daemon '" + persona + "' already running (PID: "
                + (pid.isPresent() ? Long.toString(pid.getAsLong()) : "unknown") + ")");
        this.persona = persona;
        this.pid = pid;
    }

    public String persona() {
        return persona;
    }

    public OptionalLong pid() {
        return pid;
    }
}
