package io.agentchat.cli;

import java.time.Duration;
import picocli.CommandLine;
import picocli.CommandLine.Option;

/** {@code --timeout}: how long a networked command waits to connect and for each reply. */
final class TimeoutOption {

    @Option(names = "--timeout", paramLabel = "<seconds>", defaultValue = "10",
            description = "Connect and reply timeout in seconds (default: ${DEFAULT-VALUE}).")
    int timeoutSeconds;

    /**
     * The timeout, checked here rather than by picocli so that the message names the range; an
     * out-of-range value is a usage error of {@code commandLine}.
     */
    Duration timeout(CommandLine commandLine) {
        if (timeoutSeconds < 1 || timeoutSeconds > 3600) {
            throw new BadValueException(commandLine,
                    "Invalid value for option '--timeout': " + timeoutSeconds + " (must be 1-3600)");
        }
        return Duration.ofSeconds(timeoutSeconds);
    }
}
