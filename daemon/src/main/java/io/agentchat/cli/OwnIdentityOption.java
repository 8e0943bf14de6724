package io.agentchat.cli;

import java.nio.file.Path;
import picocli.CommandLine.Option;

/**
 * {@code -i}: the identity file of the commands that act as this directory's own agent, which
 * default to {@code ./.agentchat/identity.json} (where {@code identity --generate} writes it).
 */
final class OwnIdentityOption {

    @Option(names = {"-i", "--identity"}, paramLabel = "<file>",
            description = "Identity file (default: ./.agentchat/identity.json).")
    Path identity;

    /** {@code ./.agentchat/identity.json}, resolved against the working directory. */
    static Path defaultPath() {
        return Path.of("").toAbsolutePath().resolve(".agentchat").resolve("identity.json");
    }

    /** True when {@code -i} was given. */
    boolean given() {
        return identity != null;
    }

    /** The file named by {@code -i}, else {@link #defaultPath()}. */
    Path path() {
        return identity != null ? identity : defaultPath();
    }
}
