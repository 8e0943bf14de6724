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
            channel.connect(UnixDomainSocketAddress.of(socket));
            ByteBuffer request = ByteBuffer.wrap(ControlLines.encode(ControlLines.request(operation, arguments)));
            while (request.hasRemaining()) {
                channel.write(request);
            }
            InputStream in = new BufferedInputStream(Channels.newInputStream(channel));
            line = ControlLines.readLine(in);
        } catch (IOException e) {
            throw new Unreachable("the daemon holding persona '" + persona + "' is not reachable at " + socket
                    + " (" + e.getMessage() + ")");
        }
        ObjectNode answer = line == null ? null : ControlLines.decode(line);
        if (answer == null) {
            throw new Unreachable("the daemon holding persona '" + persona + "' closed the control socket without an answer");
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

    /** The holder could not be reached at all (it may have stopped); distinct from a refused request. */
    public static final class Unreachable extends RequestRefused {
        Unreachable(String message) {
            super(message);
        }
    }
}
