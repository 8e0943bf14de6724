package io.agentchat.cli;

import io.agentchat.client.ClientException;
import io.agentchat.client.Connection;
import io.agentchat.client.FrameListener;
import io.agentchat.protocol.ServerFrame;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.Callable;
import java.util.concurrent.LinkedBlockingQueue;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

/**
 * {@code connect <server>}: an interactive session on stdin/stdout. Every failure of a line (unknown
 * channel, refused message) is printed and the session goes on; EOF, {@code /quit} or a signal
 * end it with rc 0, a server that goes away with rc 1.
 */
@Command(name = "connect", mixinStandardHelpOptions = true,
        description = "Interactive session: type '#channel text' or '@agent text'; /join, /leave, /channels, /quit.",
        footer = {"", "Example:", "  agentchat connect ws://localhost:6667 -j '#general' -n alice"})
final class ConnectCommand implements Callable<Integer> {
    /** Marks the end of input in the line queue (EOF, signal, or a closed connection). */
    private static final Optional<String> END = Optional.empty();

    @Spec
    CommandLine.Model.CommandSpec spec;

    @ParentCommand
    AgentchatCommand root;

    @Mixin
    ConnectOptions options;

    @Mixin
    ServerArgument server;

    @Option(names = {"-j", "--join"}, arity = "1..*", paramLabel = "<channels>", description = "Channels to join.")
    List<String> join;

    private final BlockingQueue<Optional<String>> lines = new LinkedBlockingQueue<>(1024);

    @Override
    public Integer call() throws InterruptedException {
        try (TerminationSignals signals = TerminationSignals.install(() -> lines.offer(END));
             CommandConnection session = CommandConnection.open(spec.commandLine(), server.url(), options, new Display())) {
            Connection connection = session.connection();
            print("Connected as " + connection.agentId());
            for (String channel : join == null ? List.<String>of() : join) {
                run(() -> {
                    connection.join(channel);
                    print("Joined " + channel);
                });
            }
            print("Type messages as: #channel message or @agent message");
            print("Commands: /join #channel, /leave #channel, /channels, /quit");
            connection.closed().thenRun(() -> lines.offer(END));
            startStdinReader();
            while (true) {
                Optional<String> line = lines.take();
                if (line.isEmpty()) {
                    break;
                }
                if (!handle(connection, line.get().trim())) {
                    break;
                }
            }
            if (connection.closed().isDone() && !connection.closed().join().local()) {
                spec.commandLine().getErr().println("Error: Connection closed by server: "
                        + connection.closed().join().describe());
                return ExitCodes.FAILURE;
            }
            return ExitCodes.OK;
        }
    }

    /** Handles one input line; false to end the session. */
    private boolean handle(Connection connection, String line) {
        if (line.isEmpty()) {
            return true;
        }
        if (line.equals("/quit") || line.equals("/exit")) {
            return false;
        }
        String[] parts = line.split("\\s+", 2);
        String head = parts[0];
        String rest = parts.length > 1 ? parts[1] : "";
        switch (head) {
            case "/join" -> run(() -> {
                connection.join(rest);
                print("Joined " + rest);
            });
            case "/leave" -> run(() -> {
                connection.leave(rest);
                print("Left " + rest);
            });
            case "/channels" -> run(() -> connection.listChannels()
                    .forEach(c -> print("  " + c.name() + " (" + c.agents() + ")")));
            default -> {
                if (head.startsWith("/")) {
                    print("Unknown command");
                } else if ((head.startsWith("#") || head.startsWith("@")) && parts.length > 1) {
                    run(() -> connection.send(head, rest));
                } else {
                    print("Format: #channel message or @agent message");
                }
            }
        }
        return true;
    }

    /** Runs one request; a failure is printed, never fatal. */
    private void run(Runnable action) {
        try {
            action.run();
        } catch (ClientException e) {
            PrintWriter err = spec.commandLine().getErr();
            err.println("Error: " + CliExceptionHandler.message(e));
            err.flush();
        }
    }

    private void print(String line) {
        PrintWriter out = spec.commandLine().getOut();
        synchronized (out) {
            out.println(line);
            out.flush();
        }
    }

    private void startStdinReader() {
        Thread reader = new Thread(() -> {
            try (BufferedReader in = new BufferedReader(new InputStreamReader(root.in(), StandardCharsets.UTF_8))) {
                for (String line = in.readLine(); line != null; line = in.readLine()) {
                    lines.put(Optional.of(line));
                }
            } catch (IOException e) {
                spec.commandLine().getErr().println("Error: reading stdin failed: " + e.getMessage());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            lines.offer(END);
        }, "agentchat-stdin");
        reader.setDaemon(true);
        reader.start();
    }

    /** Shows incoming traffic as the reference does. */
    private final class Display implements FrameListener {
        @Override
        public void onFrame(ServerFrame frame, String rawText) {
            if (frame instanceof ServerFrame.Msg msg) {
                print("[" + msg.to() + "] " + msg.from() + ": " + msg.content());
            } else if (frame instanceof ServerFrame.AgentJoined joined) {
                print("* " + joined.agent() + " joined " + joined.channel());
            } else if (frame instanceof ServerFrame.AgentLeft left) {
                print("* " + left.agent() + " left " + left.channel());
            }
        }
    }
}
