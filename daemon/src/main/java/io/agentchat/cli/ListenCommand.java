package io.agentchat.cli;

import io.agentchat.client.ClientException;
import io.agentchat.client.Connection;
import io.agentchat.client.ConnectionClosed;
import io.agentchat.client.FrameListener;
import io.agentchat.client.ServerAddresses;
import io.agentchat.identity.Identity;
import io.agentchat.protocol.ChannelPosition;
import io.agentchat.protocol.FrameType;
import io.agentchat.protocol.ServerFrame;
import java.io.PrintWriter;
import java.time.Duration;
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
 * too; a server that goes away ends the command with rc 1. Given several relays of one cluster, it
 * moves to the next one instead and rejoins each channel after the last message it saw there, so
 * nothing is printed twice (docs/cluster.md, "Clients fail over").
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
    private final SeenPositions seen = new SeenPositions();
    private int printed;

    @Override
    public Integer call() throws InterruptedException {
        if (maxMessages != null && maxMessages < 1) {
            throw new BadValueException(spec.commandLine(),
                    "Invalid value for option '--max-messages': " + maxMessages + " (must be >= 1)");
        }
        ServerAddresses servers = ServerArgument.parse(spec.commandLine(), server.url());
        Duration timeout = options.timeout(spec.commandLine());
        Identity identity = options.loadIdentity();
        List<String> toJoin = channels == null || channels.isEmpty() ? List.of("#general") : channels;
        PrintWriter err = spec.commandLine().getErr();
        try (TerminationSignals signals = TerminationSignals.install(() -> done.complete(Outcome.STOPPED))) {
            ServerAddresses order = servers;
            // Moves since something was last printed: a relay that answers and drops us at once must
            // not keep the command spinning.
            int idleMoves = 0;
            for (boolean first = true; ; first = false) {
                CommandConnection session;
                try {
                    session = CommandConnection.open(order, options.name(), identity, timeout, new Printer());
                } catch (ClientException e) {
                    if (first) {
                        throw e;
                    }
                    err.println("Error: " + CliExceptionHandler.message(e));
                    return ExitCodes.FAILURE;
                }
                int printedBefore = printed();
                Outcome outcome;
                Connection connection = session.connection();
                try (session) {
                    err.println((first ? "Connected as " : "Reconnected to " + connection.uri() + " as ")
                            + connection.agentId());
                    for (String channel : toJoin) {
                        enter(connection, channel, first);
                    }
                    if (first) {
                        err.println(maxMessages != null ? "Will disconnect after " + maxMessages + " messages"
                                : "Streaming messages to stdout (Ctrl+C to stop)");
                    }
                    err.flush();
                    outcome = (Outcome) CompletableFuture.anyOf(done,
                            connection.closed().thenApply(status -> Outcome.CLOSED)).get();
                }
                if (outcome == Outcome.MAX_REACHED) {
                    err.println("Received " + maxMessages + " messages, disconnecting");
                    return ExitCodes.OK;
                }
                if (outcome == Outcome.STOPPED) {
                    return ExitCodes.OK;
                }
                ConnectionClosed status = connection.closed().getNow(null);
                String why = status == null ? "" : ": " + status.describe();
                idleMoves = printed() > printedBefore ? 1 : idleMoves + 1;
                if (servers.size() == 1 || idleMoves > servers.size()) {
                    err.println("Error: Connection closed by server" + why);
                    return ExitCodes.FAILURE;
                }
                err.println("Connection to " + connection.uri() + " closed" + why + "; trying the next relay");
                order = servers.startingAt(servers.uris().indexOf(connection.uri()) + 1);
            }
        } catch (ExecutionException e) {
            throw new IllegalStateException(e.getCause());
        } finally {
            err.flush();
        }
    }

    /** Joins {@code channel}; after a move, resumes after the last message seen in it. */
    private void enter(Connection connection, String channel, boolean first) {
        ChannelPosition since;
        synchronized (printLock) {
            since = seen.of(channel);
        }
        if (first || since == null) {
            connection.join(channel);
        } else {
            connection.resume(channel, since);
        }
        if (first) {
            spec.commandLine().getErr().println("Joined: " + channel);
        }
    }

    private int printed() {
        synchronized (printLock) {
            return printed;
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
                if (frame instanceof ServerFrame.Msg msg && !seen.advance(msg)) {
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
