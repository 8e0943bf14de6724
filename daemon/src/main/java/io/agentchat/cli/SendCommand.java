package io.agentchat.cli;

import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code send <server> <target> <message>}: joins the channel if the target is one, sends, and
 * reports success only once the server has echoed the message (an ERROR
 * is a failure, never "Message sent").
 */
@Command(name = "send", mixinStandardHelpOptions = true,
        description = "Send one message to a #channel or an @agent.",
        footer = {"", "Example:", "  agentchat send ws://localhost:6667 '#general' \"hello\" -n alice"})
final class SendCommand implements Callable<Integer> {
    @Spec
    CommandLine.Model.CommandSpec spec;

    @Mixin
    ConnectOptions options;

    @Parameters(index = "0", paramLabel = "<server>", description = ServerArgument.DESCRIPTION)
    String server;

    @Parameters(index = "1", paramLabel = "<target>", description = "#channel or @agent.")
    String target;

    @Parameters(index = "2", paramLabel = "<message>", description = "Message text (max 4096 characters).")
    String message;

    @Override
    public Integer call() {
        try (CommandConnection session = CommandConnection.open(spec.commandLine(), server, options, null)) {
            if (target.startsWith("#")) {
                session.connection().join(target);
            }
            session.connection().send(target, message);
        }
        spec.commandLine().getOut().println("Message sent");
        return ExitCodes.OK;
    }
}
