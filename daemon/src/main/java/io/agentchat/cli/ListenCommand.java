package io.agentchat.cli;

import io.agentchat.client.ConnectionClosed;
import io.agentchat.client.FrameListener;
import io.agentchat.protocol.FrameType;
import io.agentchat.protocol.ServerFrame;
import java.io.PrintWriter;
import java.util.List;
import java.util.EnumSet;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code listen <server> [channels...]}: streams frames as JSON lines on stdout, status on stderr.
 * The listener is in place before the first JOIN, so the replay burst and the welcome are printed
 * too; a server that goes away ends the command with rc 1.
 */
@Command(name = "listen", mixinStandardHelpOptions = true,
        description = "Join channels and print what arrives as one JSON object per line.",
        footer = {"", "Example:", "  agentchat listen ws://localhost:6667 '#general' '#agents' -m 10"})
final class ListenCommand implements Callable<Integer> {
    /** The frame types the reference prints. */
    static final Set<FrameType> PRINTED = EnumSet.of(FrameType.MSG, FrameType.AGENT_JOINED, FrameType.AGENT_LEFT,
            FrameType.PROPOSAL, FrameType.ACCEPT, FrameType.REJECT, FrameType.COMPLETE, FrameType.DISPUTE,
            FrameType.SKILLS_REGISTERED, FrameType.SEARCH_RESULTS);

    private enum Outcome { MAX_REACHED, STOPPED, CLOSED }

    @Spec
    CommandLine.Model.CommandSpec spec;

    @Mixin
    ConnectOptions options;

    @Mixin
    ServerArgument server;

    @Parameters(index = "1..*", paramLabel = "<channels>", description = "Channels to join (default: #general).")
    List<String> channels;

    @Option(names = {"-m", "--max-messages"}, paramLabel = "<n>",
            description = "Disconnect after printing this many frames (default: unlimited).")
    Integer maxMessages;

    private final CompletableFuture<Outcome> done = new CompletableFuture<>();
    private final Object printLock = new Object();
    private int printed;

    @Override
    public Integer call() throws InterruptedException {
        if (maxMessages != null && maxMessages < 1) {
            throw new BadValueException(spec.commandLine(),
                    "Invalid value for option '--max-messages': " + maxMessages + " (must be >= 1)");
        }
        List<String> toJoin = channels == null || channels.isEmpty() ? List.of("#general") : channels;
        PrintWriter err = spec.commandLine().getErr();
        try (TerminationSignals signals = TerminationSignals.install(() -> done.complete(Outcome.STOPPED));
             CommandConnection session = CommandConnection.open(spec.commandLine(), server.url(), options, new Printer())) {
            err.println("Connected as " + session.connection().agentId());
            for (String channel : toJoin) {
                session.connection().join(channel);
                err.println("Joined: " + channel);
            }
            err.println(maxMessages != null ? "Will disconnect after " + maxMessages + " messages"
                    : "Streaming messages to stdout (Ctrl+C to stop)");
            err.flush();
            session.connection().closed().thenRun(() -> done.complete(Outcome.CLOSED));
            Outcome outcome = done.get();
            if (outcome == Outcome.CLOSED) {
                ConnectionClosed status = session.connection().closed().getNow(null);
                err.println("Error: Connection closed by server" + (status == null ? "" : ": " + status.describe()));
                return ExitCodes.FAILURE;
            }
            if (outcome == Outcome.MAX_REACHED) {
                err.println("Received " + maxMessages + " messages, disconnecting");
            }
            return ExitCodes.OK;
        } catch (ExecutionException e) {
            throw new IllegalStateException(e.getCause());
        } finally {
            err.flush();
        }
    }

    /** Prints on the connection's dispatcher thread, in arrival order. */
    private final class Printer implements FrameListener {
        @Override
        public void onFrame(ServerFrame frame, String rawText) {
            if (!PRINTED.contains(frame.type())) {
                return;
            }
            synchronized (printLock) {
                if (maxMessages != null && printed >= maxMessages) {
                    return;
                }
                PrintWriter out = spec.commandLine().getOut();
                out.println(rawText);
                out.flush();
                printed++;
                if (maxMessages != null && printed >= maxMessages) {
                    done.complete(Outcome.MAX_REACHED);
                }
            }
        }
    }
}
