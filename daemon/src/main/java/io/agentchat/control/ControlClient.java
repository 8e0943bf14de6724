package io.agentchat.control;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.Channels;
import java.nio.channels.SocketChannel;
import java.nio.file.Path;

/**
 * Requests made through the control socket of the process that holds the persona ({@link ControlSocket}).
 * Each request opens its own short connection, so a daemon restarted in between is simply reached
 * again; a local socket costs well under a millisecond to open.
 */
public final class ControlClient implements PersonaRequests {

    private final Path socket;
    private final String persona;

    public ControlClient(Path socket, String persona) {
        this.socket = socket;
        this.persona = persona;
    }

    @Override
    public ObjectNode call(String operation, ObjectNode arguments) {
        String line;
        try (SocketChannel channel = SocketChannel.open(StandardProtocolFamily.UNIX)) {
            try {
                channel.connect(UnixDomainSocketAddress.of(socket));
            } catch (IOException e) {
                throw new Unreachable("the daemon holding persona '" + persona + "' is not reachable at " + socket
                        + " (" + e.getMessage() + ")");
            }
            line = exchange(channel, operation, arguments);
        } catch (IOException e) {
            line = null;
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

    /** The holder could not be reached at all (it may have stopped); distinct from a refused request. */
    public static final class Unreachable extends RequestRefused {
        Unreachable(String message) {
            super(message);
        }
    }
}
