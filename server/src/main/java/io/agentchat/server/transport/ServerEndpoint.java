package io.agentchat.server.transport;

import io.agentchat.server.core.AgentSession;
import io.agentchat.server.core.AnswerOrder;
import io.agentchat.server.core.Hub;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.Executor;
import org.eclipse.jetty.util.BufferUtil;
import org.eclipse.jetty.util.Callback;
import org.eclipse.jetty.websocket.core.CloseStatus;
import org.eclipse.jetty.websocket.core.CoreSession;
import org.eclipse.jetty.websocket.core.Frame;
import org.eclipse.jetty.websocket.core.FrameHandler;
import org.eclipse.jetty.websocket.core.OpCode;
import org.eclipse.jetty.websocket.core.exception.BadPayloadException;
import org.eclipse.jetty.websocket.core.exception.MessageTooLargeException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One WebSocket connection, on Jetty's websocket-core API. The Jetty API endpoint it replaces kept
 * the HTTP upgrade request reachable for the socket's life (for {@code Session.getUpgradeRequest()})
 * and built method-handle bindings per connection; this handler keeps only the core session.
 *
 * <p>Messages are aggregated here: a message in one frame (the usual case) is decoded straight from
 * the frame's buffer; only a fragmented message gets a buffer, dropped when it completes. Text must
 * be valid UTF-8 (1007 otherwise); binary frames are read as UTF-8 text, as the reference does. A
 * message over the configured maximum closes the socket with 1009. Demand is explicit: the next
 * frame is read once the hub has handled this one and its answer is given ({@link AnswerOrder}), so
 * a connection's answers keep the order of its frames.
 */
final class ServerEndpoint implements FrameHandler {
    private static final Logger LOG = LoggerFactory.getLogger("agentchat.server");

    private final Hub hub;
    private final Executor writers;
    private final long maxQueuedBytes;
    private final SharedUtf8 utf8;
    private final String dialledHost;
    private CoreSession session;
    /** Reads the next frame; made once, as it runs after every frame. */
    private Runnable demandNext;
    private volatile AgentSession agent;
    /** The opcode of the fragmented message being assembled, or {@link OpCode#UNDEFINED}. */
    private byte partialType = OpCode.UNDEFINED;
    private ByteArrayOutputStream partial;

    ServerEndpoint(Hub hub, Executor writers, long maxQueuedBytes, SharedUtf8 utf8, String dialledHost) {
        this.utf8 = utf8;
        this.dialledHost = dialledHost;
        this.hub = hub;
        this.writers = writers;
        this.maxQueuedBytes = maxQueuedBytes;
    }

    @Override
    public void onOpen(CoreSession coreSession, Callback callback) {
        session = coreSession;
        demandNext = coreSession::demand;
        agent = hub.open(new JettyOutbound(coreSession, writers, maxQueuedBytes, utf8, hub.metrics(), this::dead), dialledHost);
        if (agent == null) {
            coreSession.close(CloseStatus.TRY_AGAIN_LATER, "Too many connections from your address", Callback.NOOP);
        }
        callback.succeeded();
        coreSession.demand();
    }

    @Override
    public void onFrame(Frame frame, Callback callback) {
        switch (frame.getOpCode()) {
            case OpCode.TEXT, OpCode.BINARY -> onData(frame.getOpCode(), frame, callback);
            case OpCode.CONTINUATION -> onData(partialType, frame, callback);
            case OpCode.PING -> onPing(frame, callback);
            case OpCode.PONG -> {
                AgentSession heard = agent;
                if (heard != null) {
                    hub.heard(heard);
                }
                callback.succeeded();
                session.demand();
            }
            // Jetty answers the close frame itself once the callback completes.
            case OpCode.CLOSE -> callback.succeeded();
            default -> callback.failed(new IllegalStateException("unexpected opcode " + frame.getOpCode()));
        }
    }

    private void onData(byte type, Frame frame, Callback callback) {
        try {
            String text = aggregate(type, frame);
            if (text != null) {
                AgentSession from = agent;
                if (from != null) {
                    WritesAfterFrame.begin();
                    try {
                        hub.onText(from, text);
                    } finally {
                        WritesAfterFrame.end();
                    }
                    callback.succeeded();
                    from.answers().afterAnswers(demandNext, writers);
                    return;
                }
            }
            callback.succeeded();
            session.demand();
        } catch (Throwable failure) {
            partial = null;
            partialType = OpCode.UNDEFINED;
            callback.failed(failure); // Jetty closes with the exception's code: 1009, 1007, 1002
        }
    }

    /** The whole message once its last frame is in, or null while fragments are still coming. */
    private String aggregate(byte type, Frame frame) {
        if (type != OpCode.TEXT && type != OpCode.BINARY) {
            throw new IllegalStateException("continuation frame without a message to continue");
        }
        long max = type == OpCode.TEXT ? session.getMaxTextMessageSize() : session.getMaxBinaryMessageSize();
        ByteBuffer payload = frame.hasPayload() ? frame.getPayload() : BufferUtil.EMPTY_BUFFER;
        long size = (partial == null ? 0 : partial.size()) + (long) payload.remaining();
        if (max > 0 && size > max) {
            throw new MessageTooLargeException("Message larger than " + max + " bytes");
        }
        if (frame.isFin() && partial == null) {
            return decode(type, payload);
        }
        if (partial == null) {
            partial = new ByteArrayOutputStream(Math.max(256, payload.remaining() * 2));
            partialType = type;
        }
        byte[] chunk = new byte[payload.remaining()];
        payload.slice().get(chunk);
        partial.writeBytes(chunk);
        if (!frame.isFin()) {
            return null;
        }
        ByteBuffer whole = ByteBuffer.wrap(partial.toByteArray());
        partial = null;
        partialType = OpCode.UNDEFINED;
        return decode(type, whole);
    }

    private static String decode(byte type, ByteBuffer bytes) {
        if (type == OpCode.BINARY) {
            return StandardCharsets.UTF_8.decode(bytes).toString();
        }
        try {
            return StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(bytes.slice())
                    .toString();
        } catch (CharacterCodingException invalid) {
            throw new BadPayloadException.InvalidUtf8();
        }
    }

    /** Answers with a pong, as the Jetty API did; a failed pong (output closed, queue full) is ignored. */
    private void onPing(Frame frame, Callback callback) {
        Runnable next = () -> {
            callback.succeeded();
            session.demand();
        };
        session.sendFrame(new Frame(OpCode.PONG, true, frame.getPayload()), Callback.from(next, failure -> next.run()),
                false);
    }

    @Override
    public void onError(Throwable cause, Callback callback) {
        LOG.debug("websocket error: {}", cause.toString());
        dead();
        callback.succeeded();
    }

    @Override
    public void onClosed(CloseStatus closeStatus, Callback callback) {
        partial = null;
        dead();
        callback.succeeded();
    }

    private void dead() {
        AgentSession gone = agent;
        if (gone != null) {
            hub.onClose(gone);
        }
    }
}
