package io.agentchat.cli;

/** Exit statuses of every command (see docs/decisions.md). */
public final class ExitCodes {
    /** Success. */
    public static final int OK = 0;
    /** A runtime failure (server error, unreachable server, bad file) or a usage error, as commander gives. */
    public static final int FAILURE = 1;
    /** A syntactically valid option or variable with an invalid value (a bad number): exit 2, not a silent default. */
    public static final int BAD_VALUE = 2;

    private ExitCodes() {
    }
}
