package io.agentchat.cli;

import picocli.CommandLine;

/** An option or environment variable whose value is unusable; exits with {@link ExitCodes#BAD_VALUE}. */
final class BadValueException extends CommandLine.ParameterException {
    private static final long serialVersionUID = 1L;

    BadValueException(CommandLine commandLine, String message) {
        super(commandLine, message);
    }
}
