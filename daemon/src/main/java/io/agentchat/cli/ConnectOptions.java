package io.agentchat.cli;

import io.agentchat.identity.Identity;
import io.agentchat.identity.IdentityFile;
import java.nio.file.Path;
import java.time.Duration;
import picocli.CommandLine;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** The options every networked command shares: who we are and how long we wait. */
final class ConnectOptions {

    @Option(names = {"-n", "--name"}, paramLabel = "<name>",
            description = "Agent name (default: agent-<pid>; an identity file's name wins).")
    String name;

    @Option(names = {"-i", "--identity"}, paramLabel = "<file>",
            description = "Identity file for a persistent, key-based id (default: none, ephemeral).")
    Path identity;

    @Mixin
    TimeoutOption timeout;

    String name() {
        return name != null ? name : "agent-" + ProcessHandle.current().pid();
    }

    /** The identity, or null when none was asked for. */
    Identity loadIdentity() {
        return identity == null ? null : IdentityFile.load(identity);
    }

    Duration timeout(CommandLine commandLine) {
        return timeout.timeout(commandLine);
    }
}
