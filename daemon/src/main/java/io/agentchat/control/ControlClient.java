package io.agentchat.control;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.agentchat.client.ClientOptions;
import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.Channels;
import java.nio.channels.SocketChannel;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Requests made through the control socket of the process that holds the persona ({@link ControlSocket}).
 * Each request opens its own short connection, so a daemon restarted in between is simply reached
 * again; a local socket costs well under a millisecond to open.
 */
public final class ControlClient implements PersonaRequests {

    /**
     * How long a request may go unanswered. The holder takes at most {@link PersonaOperations#LIVE_WAIT}
     * for its connection plus one request to the relay ({@link ClientOptions#DEFAULT_TIMEOUT}, what the
     * daemon uses), and answers even a refusal at once; the margin is for a loaded machine. Past it the
     * holder is stuck (or is not one), and the tool call must not hang with it.
     */
    static final Duration ANSWER_WAIT = PersonaOperations.LIVE_WAIT.plus(ClientOptions.DEFAULT_TIMEOUT)
            .plus(Duration.ofSeconds(10));

    /** Closes the connections of requests left unanswered too long; one thread for the whole process. */
    private static final ScheduledThreadPoolExecutor DEADLINES = deadlines();

    private final Path socket;
    private final String persona;
    private final Duration answerWait;

    public ControlClient(Path socket, String persona) {
        this(socket, persona, ANSWER_WAIT);
    }

    ControlClient(Path socket, String persona, Duration answerWait) {
        this.socket = socket;
        this.persona = persona;
        this.answerWait = answerWait;
    }

    @Override
    public ObjectNode call(String operation, ObjectNode arguments) {
        String line;
        AtomicBoolean late = new AtomicBoolean();
        try (SocketChannel channel = SocketChannel.open(StandardProtocolFamily.UNIX)) {
            // A channel has no read timeout; closing it makes a blocked connect, write or read fail at once.
            ScheduledFuture<?> deadline = DEADLINES.schedule(() -> {
                late.set(true);
                closeQuietly(channel);
            }, answerWait.toNanos(), TimeUnit.NANOSECONDS);
            try {
                try {
                    channel.connect(UnixDomainSocketAddress.of(socket));
                } catch (IOException e) {
                    if (late.get()) {
                        throw notAnswered(); // a full backlog: the holder is there but not accepting
                    }
                    throw new Unreachable("the daemon holding persona '" + persona + "' is not reachable at " + socket
                            + " (" + e.getMessage() + ")");
                }
                line = exchange(channel, operation, arguments);
            } finally {
                deadline.cancel(false);
            }
        } catch (IOException e) {
            line = null;
        }
        if (line == null && late.get()) {
            throw notAnswered();
        }
        ObjectNode answer = line == null ? null : ControlLines.decode(line);
        if (answer == null) {
            // Connected, so the request may have reached the holder and been done (a message sent):
            // not Unreachable, which would have it done again by whoever takes the persona over.
            throw new RequestRefused("the daemon holding persona '" + persona + "' closed the control connection "
                    + "before answering (it may have stopped); the request may or may not have been carried out");
        }
        if (answer.path("ok").asBoolean(false)) {
            JsonNode result = answer.get("result");
            if (result instanceof ObjectNode object) {
                return object;
            }
            throw new RequestRefused("the daemon's answer has no result object");
        }
        throw new RequestRefused(answer.path("error").asText("refused without a reason"));
    }

    /** Writes the request and reads its answer line; null if the holder closed first. */
    private static String exchange(SocketChannel channel, String operation, ObjectNode arguments) throws IOException {
        ByteBuffer request = ByteBuffer.wrap(ControlLines.encode(ControlLines.request(operation, arguments)));
        try {
            while (request.hasRemaining()) {
                channel.write(request);
            }
        } catch (IOException e) {
            // The holder closed first, perhaps with a refusal ("too many control clients") to read.
        }
        return ControlLines.readLine(new BufferedInputStream(Channels.newInputStream(channel)));
    }

    /** Not {@link Unreachable}: the holder is there and may have carried the request out, so it must not be repeated. */
    private RequestRefused notAnswered() {
        return new RequestRefused("the daemon holding persona '" + persona + "' did not answer within "
                + seconds(answerWait) + " (it may be stuck); the request may or may not have been carried out");
    }

    private static void closeQuietly(SocketChannel channel) {
        try {
            channel.close();
        } catch (IOException e) {
            // Closing is all we wanted; the read fails either way.
        }
    }

    private static String seconds(Duration wait) {
        long ms = wait.toMillis();
        return ms % 1000 == 0 ? ms / 1000 + " s" : ms + " ms";
    }

    private static ScheduledThreadPoolExecutor deadlines() {
        ScheduledThreadPoolExecutor executor = new ScheduledThreadPoolExecutor(1, runnable -> {
            Thread thread = new Thread(runnable, "control-deadlines");
            thread.setDaemon(true);
            return thread;
        });
        executor.setRemoveOnCancelPolicy(true); // an answered request leaves nothing queued behind
        return executor;
    }

    /** The holder could not be reached at all (it may have stopped); distinct from a refused request. */
    public static final class Unreachable extends RequestRefused {
        Unreachable(String message) {
            super(message);
        }
    }
}
