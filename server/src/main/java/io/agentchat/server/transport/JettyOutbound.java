package io.agentchat.server.transport;

import io.agentchat.server.core.Outbound;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.WritePendingException;
import java.util.concurrent.atomic.AtomicBoolean;
import org.eclipse.jetty.websocket.api.Callback;
import org.eclipse.jetty.websocket.api.Session;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@link Outbound} on a Jetty session. Sends are asynchronous and Jetty bounds the queue
 * ({@code maxOutgoingFrames}); a send refused with {@link WritePendingException} means the peer
 * is not reading fast enough, and it is disconnected at once instead of being buffered forever.
 */
final class JettyOutbound implements Outbound {
    private static final Logger LOG = LoggerFactory.getLogger("agentchat.server");

    private final Session session;
    private final String address;
    private final AtomicBoolean closing = new AtomicBoolean();
    private final Callback sendCallback = new Callback() {
        @Override
        public void fail(Throwable cause) {
            if (cause instanceof WritePendingException && closing.compareAndSet(false, true)) {
                LOG.warn("slow consumer ip={}: outbound queue full, disconnecting", address);
                // A peer that does not read cannot read a close frame either: drop the connection now,
                // so its channels learn at once (AGENT_LEFT) instead of after the idle timeout.
                session.disconnect();
            }
        }
    };

    JettyOutbound(Session session) {
        this.session = session;
        this.address = hostOf(session.getRemoteSocketAddress());
    }

    @Override
    public void send(String text) {
        if (!closing.get()) {
            session.sendText(text, sendCallback);
        }
    }

    @Override
    public void ping() {
        if (!closing.get() && session.isOpen()) {
            session.sendPing(ByteBuffer.allocate(0), Callback.NOOP);
        }
    }

    @Override
    public void abort() {
        closing.set(true);
        session.disconnect();
    }

    @Override
    public void close(int code, String reason) {
        if (closing.compareAndSet(false, true)) {
            session.close(code, reason, Callback.NOOP);
        }
    }

    @Override
    public String remoteAddress() {
        return address;
    }

    private static String hostOf(SocketAddress address) {
        if (address instanceof InetSocketAddress inet) {
            return inet.getAddress() != null ? inet.getAddress().getHostAddress() : inet.getHostString();
        }
        return String.valueOf(address);
    }
}
