package io.agentchat.cli;

import io.agentchat.client.ServerAddresses;
import io.agentchat.identity.Identity;
import io.agentchat.identity.IdentityFile;
import java.time.Duration;
import picocli.CommandLine;
import picocli.CommandLine.Mixin;

/**
 * Options of the commands that act with a persistent identity (propose … dispute, verify, skills
 * announce): {@code -i} defaults to {@code ./.agentchat/identity.json}, and there is no {@code -n}
 * (the identity's name is used).
 */
final class SignerOptions {

    @Mixin
    OwnIdentityOption identity;

    @Mixin
    TimeoutOption timeout;

    Identity loadIdentity() {
        return IdentityFile.load(identity.path());
    }

    Duration timeout(CommandLine commandLine) {
        return timeout.timeout(commandLine);
    }

    /** Validates the server argument and the identity before connecting, so a bad file never costs a connection. */
    CommandConnection open(CommandLine commandLine, String server) {
        ServerAddresses servers = ServerArgument.parse(commandLine, server);
        Duration timeout = timeout(commandLine);
        Identity id = loadIdentity();
        return CommandConnection.open(servers, id.name(), id, timeout, null);
    }
}
