package io.agentchat.cli;

import io.agentchat.client.ServerUrl;
import io.agentchat.identity.Identity;
import io.agentchat.identity.IdentityFile;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import picocli.CommandLine;
import picocli.CommandLine.Option;

/**
 * Options of the commands that act with a persistent identity (propose … dispute, verify, skills
 * announce): {@code -i} defaults to {@code ./.agentchat/identity.json} as in the reference, and
 * there is no {@code -n} (the identity's name is used).
 */
final class SignerOptions {

    @Option(names = {"-i", "--identity"}, paramLabel = "<file>",
            description = "Identity file (default: ./.agentchat/identity.json).")
    Path identity;

    @Option(names = "--timeout", paramLabel = "<seconds>", defaultValue = "10",
            description = "Connect and reply timeout in seconds (default: ${DEFAULT-VALUE}).")
    int timeoutSeconds;

    Path identityPath() {
        return identity != null ? identity : Path.of("").toAbsolutePath().resolve(".agentchat").resolve("identity.json");
    }

    Identity loadIdentity() {
        return IdentityFile.load(identityPath());
    }

    Duration timeout(CommandLine commandLine) {
        if (timeoutSeconds < 1 || timeoutSeconds > 3600) {
            throw new BadValueException(commandLine,
                    "Invalid value for option '--timeout': " + timeoutSeconds + " (must be 1-3600)");
        }
        return Duration.ofSeconds(timeoutSeconds);
    }

    /** Validates the URL and the identity before connecting, so a bad file never costs a connection. */
    ServerSession open(CommandLine commandLine, String url) {
        URI uri = ServerUrl.parse(url);
        Duration timeout = timeout(commandLine);
        Identity id = loadIdentity();
        return ServerSession.open(uri, id.name(), id, timeout, null);
    }
}
