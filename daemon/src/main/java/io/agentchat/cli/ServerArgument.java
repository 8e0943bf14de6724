package io.agentchat.cli;

import picocli.CommandLine.Parameters;

/** The {@code <server>} URL that most networked commands take as their first argument. */
final class ServerArgument {

    @Parameters(index = "0", paramLabel = "<server>", description = "Server URL.")
    String url;

    String url() {
        return url;
    }
}
