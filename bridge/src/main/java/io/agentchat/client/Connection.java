package io.agentchat.client;

import io.agentchat.identity.SignedText;
import io.agentchat.identity.Identity;
import io.agentchat.protocol.ClientFrame;
import io.agentchat.protocol.FrameCodec;
import io.agentchat.protocol.ProtocolException;
import io.agentchat.protocol.ServerFrame;
import java.net.URI;
import java.nio.ByteBuffer;
import java.nio.channels.WritePendingException;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Function;
import java.util.function.Supplier;
import org.eclipse.jetty.websocket.api.Callback;
import org.eclipse.jetty.websocket.api.Session;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One identified connection to an AgentChat server, made by {@link AgentChatClient#connect}.
 *
 * <p>Request methods ({@link #join}, {@link #send}, ...) block until the server's reply, an ERROR
 * (thrown as {@link ServerErrorException} with the server's code and message) or the request
 * timeout ({@link ClientException} with reason TIMEOUT). They may be called from several threads;
 * requests go out in call order and replies are matched in that order. Everything the server sends
 * also reaches the {@link FrameListener} given at connect time, which was in place before the first
 * request, so nothing (JOINED, replay, welcome) can be missed.
 *
 * <p>With an {@link Identity}, IDENTIFY carries its pubkey text unchanged, the server's identity
 * challenge is answered during the handshake, and every MSG is signed as the reference signs it.
 */
public final class Connection implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(Connection.class);

    private final URI uri;
    private final String name;
    private final Identity identity;
    private final ClientOptions options;
    private final FrameCodec codec;
    private final FrameListener listener;
    private final FrameDispatcher dispatcher;
    private final PendingRequests pending = new PendingRequests();
    /** Frames awaited outside the request FIFO (verification outcomes); few are ever outstanding. */
    private final FrameWaiters waiters = new FrameWaiters(64);
    private final Object sendLock = new Object();
    private final CompletableFuture<ConnectionClosed> closed = new CompletableFuture<>();
    private final AtomicBoolean closeHandled = new AtomicBoolean();
    private volatile Session session;
    private volatile ServerFrame.Welcome welcome;
    /** Set by the reader at WELCOME, so the frame right after it is never taken for the handshake. */
    private volatile boolean welcomed;
    private volatile boolean localClose;
    private volatile String abortReason;
    private volatile long lastHeardNanos = System.nanoTime();
    private volatile ScheduledFuture<?> keepAliveTask;
    /** The server challenged our identity during the handshake, so it is one of ours (see VerificationResponder). */
    private volatile boolean serverChallenged;

    Connection(URI uri, String name, Identity identity, ClientOptions options, FrameCodec codec,
               FrameListener listener, String threadName) {
        this.uri = uri;
        this.name = identity != null ? identity.name() : name;
        this.identity = identity;
        this.options = options;
        this.codec = codec;
        this.listener = listener == null ? FrameListener.NONE : listener;
        this.dispatcher = new FrameDispatcher(threadName, options.maxDispatchBacklog());
    }

    /** Our agent id with its {@code @}, as WELCOME gave it. */
    public String agentId() {
        return welcome.agentId();
    }

    /** The name sent in IDENTIFY (the identity's name when there is one). */
    public String name() {
        return name;
    }

    /** The server's name from WELCOME. */
    public String serverName() {
        return welcome.server();
    }

    public URI uri() {
        return uri;
    }

    public boolean isOpen() {
        Session s = session;
        return s != null && s.isOpen() && !closed.isDone();
    }

    /** Completes when the connection has closed, for whatever reason. Never fails. */
    public CompletableFuture<ConnectionClosed> closed() {
        return closed;
    }

    /** Joins {@code channel}; returns its JOINED frame. The replay burst that follows goes to the listener. */
    public ServerFrame.Joined join(String channel) {
        return request("JOINED for " + channel,
                f -> f instanceof ServerFrame.Joined j && channel.equals(j.channel()) ? j : null,
                new ClientFrame.Join(channel));
    }

    /** Leaves {@code channel}. Confirmed by a PING round trip, since the server may not answer a LEAVE. */
    public void leave(String channel) {
        await(submit(() -> pending.addPingBarrier("PONG after LEAVE " + channel),
                new ClientFrame.Leave(channel), new ClientFrame.Ping()), options.requestTimeout());
    }

    /**
     * Sends a message to {@code #channel} or {@code @agent} and waits until the server has routed it:
     * its echo (the channel copy, or the DM copy to the sender) or an ERROR (W-13).
     *
     * @return the server's echo of the message
     */
    public ServerFrame.Msg send(String to, String content) {
        ClientFrame.Msg frame;
        if (identity != null) {
            long ts = options.clock().millis();
            frame = new ClientFrame.Msg(to, content, ts, identity.sign(SignedText.msg(to, content, ts)));
        } else {
            frame = new ClientFrame.Msg(to, content);
        }
        String self = agentId();
        return request("the echo of a MSG to " + to,
                f -> f instanceof ServerFrame.Msg m && !m.isReplay() && self.equals(m.from())
                        && to.equals(m.to()) && content.equals(m.content()) ? m : null,
                frame);
    }

    /** The public channels with their member counts. */
    public List<ServerFrame.ChannelInfo> listChannels() {
        return request("CHANNELS", f -> f instanceof ServerFrame.Channels c ? c.list() : null,
                new ClientFrame.ListChannels());
    }

    /** The members of {@code channel}. */
    public List<ServerFrame.AgentInfo> listAgents(String channel) {
        return request("AGENTS for " + channel,
                f -> f instanceof ServerFrame.Agents a && channel.equals(a.channel()) ? a.list() : null,
                new ClientFrame.ListAgents(channel));
    }

    /** Creates {@code channel} (and joins it); returns its JOINED frame. */
    public ServerFrame.Joined createChannel(String channel, boolean inviteOnly) {
        return request("JOINED for new channel " + channel,
                f -> f instanceof ServerFrame.Joined j && channel.equals(j.channel()) ? j : null,
                new ClientFrame.CreateChannel(channel, inviteOnly));
    }

    /**
     * Invites {@code agent} ({@code @id}) into {@code channel}. The server sends no acknowledgement,
     * so a PING follows: an ERROR before the PONG is the invite's failure.
     */
    public void invite(String channel, String agent) {
        await(submit(() -> pending.addPingBarrier("PONG after INVITE"),
                new ClientFrame.Invite(channel, agent), new ClientFrame.Ping()), options.requestTimeout());
    }

    /** One PING/PONG round trip; also a barrier: every earlier request has been handled. */
    public Duration ping() {
        long start = System.nanoTime();
        request("PONG", PendingRequests::pong, new ClientFrame.Ping());
        return Duration.ofNanos(System.nanoTime() - start);
    }

    /**
     * Sends a frame without waiting for any reply. Its replies, and any ERROR, reach only the
     * listener; an ERROR it draws while a request is pending is taken as that request's failure,
     * so prefer the request methods.
     */
    public CompletableFuture<Void> sendFrame(ClientFrame frame) {
        CompletableFuture<Void> sent = new CompletableFuture<>();
        synchronized (sendLock) {
            write(frame, sent, true);
        }
        return sent;
    }

    /** Closes with 1000 and waits briefly for the listener to see {@code onClosed}. Idempotent. */
    @Override
    public void close() {
        localClose = true;
        Session s = session;
        if (s != null && s.isOpen()) {
            s.close(1000, "Client closing", Callback.NOOP);
            try {
                closed.get(2, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } catch (ExecutionException | TimeoutException e) {
                LOG.debug("close handshake with {} did not finish", uri);
            }
        }
        if (!closed.isDone()) {
            if (s != null) {
                s.disconnect();
            }
            closedBySocket(1006, "Client closed");
        }
        dispatcher.awaitFinished(Duration.ofSeconds(2));
        dispatcher.close();
    }

    // ---- used by AgentChatClient and ClientEndpoint ----

    void identify(Duration timeout) {
        String pubkey = identity == null ? null : identity.pubkey();
        try {
            welcome = await(submit(() -> pending.add("WELCOME", f -> f instanceof ServerFrame.Welcome w ? w : null),
                    new ClientFrame.Identify(name, pubkey)), timeout);
        } catch (ClientException e) {
            if (e.reason() != ClientException.Reason.TIMEOUT) {
                throw e;
            }
            // Report the whole connect budget, of which this wait had what was left.
            throw new ClientException(ClientException.Reason.TIMEOUT,
                    "Timed out after " + seconds(options.connectTimeout()) + " waiting for WELCOME");
        }
    }

    void startKeepAlive(ScheduledExecutorService timer) {
        Duration interval = options.keepAlive();
        if (interval.isZero()) {
            return;
        }
        long periodMs = interval.toMillis();
        keepAliveTask = timer.scheduleAtFixedRate(this::keepAlive, periodMs, periodMs, TimeUnit.MILLISECONDS);
    }

    /** Tears down a connection that never completed its handshake. */
    void abort(String reason) {
        abortReason = reason;
        localClose = true;
        Session s = session;
        if (s != null) {
            s.disconnect();
        }
        closedBySocket(1006, reason);
        dispatcher.close();
    }

    void opened(Session newSession) {
        session = newSession;
        heard();
    }

    void heard() {
        lastHeardNanos = System.nanoTime();
    }

    void received(String text) {
        heard();
        ServerFrame frame;
        try {
            frame = codec.decodeServer(text);
        } catch (ProtocolException e) {
            LOG.debug("undecodable frame from {}: {}", uri, e.getMessage());
            ClientException error = new ClientException(ClientException.Reason.IO,
                    "Undecodable frame from server: " + e.getMessage());
            dispatcher.dispatch(() -> listener.onError(error));
            return;
        }
        if (frame instanceof ServerFrame.Welcome) {
            welcomed = true;
        } else if (frame instanceof ServerFrame.VerifyRequest request) {
            answerVerification(request);
        }
        waiters.onFrame(frame);
        pending.onFrame(frame);
        dispatcher.dispatch(() -> listener.onFrame(frame, text));
    }

    void closedBySocket(int code, String reason) {
        if (!closeHandled.compareAndSet(false, true)) {
            return;
        }
        ScheduledFuture<?> task = keepAliveTask;
        if (task != null) {
            task.cancel(false);
        }
        String why = abortReason != null ? abortReason : reason;
        ConnectionClosed status = new ConnectionClosed(code, why, localClose);
        ClientException cause = new ClientException(ClientException.Reason.CLOSED,
                localClose ? "Connection closed" : "Connection closed by server: " + status.describe());
        pending.closeAll(cause);
        waiters.closeAll(cause);
        dispatcher.dispatch(() -> listener.onClosed(code, status.reason()));
        dispatcher.finish();
        closed.complete(status);
    }

    void failed(Throwable cause) {
        if (!closed.isDone()) {
            dispatcher.dispatch(() -> listener.onError(cause));
        }
        Session s = session;
        if (s == null || !s.isOpen()) {
            closedBySocket(1006, cause.getMessage() == null ? cause.getClass().getSimpleName() : cause.getMessage());
        }
    }

    // ---- internals ----

    /**
     * Before WELCOME, the server's identity challenge; after it, if enabled, another agent's request
     * (W-9). Answered only in a form that cannot be misused (Q19, see VerificationResponder). The
     * server answers our answer (VERIFY_SUCCESS/FAILED or an ERROR) in order, so that reply is
     * tracked without being awaited: it must not be taken for a request's.
     */
    private void answerVerification(ServerFrame.VerifyRequest request) {
        boolean handshake = !welcomed;
        if (!handshake && !options.answerVerifications()) {
            return;
        }
        ClientFrame.VerifyResponse response = handshake
                ? VerificationResponder.answerChallenge(identity, request, uri)
                : VerificationResponder.answer(identity, request, serverChallenged);
        if (response == null) {
            LOG.info("not answering verification request {} from {}", request.requestId(), request.from());
            return;
        }
        serverChallenged |= handshake;
        LOG.info("answering verification request {} from {}", request.requestId(), request.from());
        String description = "the reply to our VERIFY_RESPONSE " + response.requestId();
        if (handshake) {
            // Only our server challenges, and it answers every challenge response.
            submit(() -> pending.addUnawaited(description, VerificationResponder.replyTo(response)), response);
        } else {
            // Servers differ in whether they answer the responder; a PING bounds whatever comes.
            submit(() -> pending.addUnawaitedPingBarrier(description), response, new ClientFrame.Ping());
        }
    }

    private void keepAlive() {
        Session s = session;
        if (s == null || !s.isOpen()) {
            return;
        }
        long silentMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - lastHeardNanos);
        if (silentMs > 2 * options.keepAlive().toMillis()) {
            LOG.warn("{} silent for {} ms; dropping the connection", uri, silentMs);
            abortReason = "Server not responding";
            s.disconnect();
            closedBySocket(1006, abortReason);
            return;
        }
        s.sendPing(ByteBuffer.allocate(0), Callback.NOOP);
    }

    // ---- used by MarketClient ----

    Identity identity() {
        return identity;
    }

    /** A future for the first later frame {@code matcher} accepts; register it before sending what provokes it. */
    <T> CompletableFuture<T> expect(Function<ServerFrame, T> matcher) {
        return waiters.add(matcher);
    }

    <T> T request(String description, Function<ServerFrame, T> matcher, ClientFrame... frames) {
        return await(submit(() -> pending.add(description, matcher), frames), options.requestTimeout());
    }

    /** Queues a request and sends its frames under one lock, so the wire order is the queue order. */
    private <T> PendingRequests.Request<T> submit(Supplier<PendingRequests.Request<T>> enqueue,
                                                  ClientFrame... frames) {
        synchronized (sendLock) {
            PendingRequests.Request<T> request = enqueue.get();
            for (ClientFrame frame : frames) {
                // A server ERROR does not stop the rest: a fast ERROR for an INVITE can arrive
                // before its barrier PING is written, and PendingRequests then drains that PING's
                // PONG. A failed write here does: no reply will come for what is not sent.
                if (request.failedLocally()) {
                    break;
                }
                write(frame, request.future, false);
            }
            return request;
        }
    }

    private <T> T await(PendingRequests.Request<T> request, Duration timeout) {
        try {
            return request.future.get(Math.max(1, timeout.toMillis()), TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            pending.remove(request);
            throw new ClientException(ClientException.Reason.TIMEOUT,
                    "Timed out after " + seconds(timeout) + " waiting for " + request.description);
        } catch (ExecutionException e) {
            pending.remove(request);
            Throwable cause = e.getCause();
            if (cause instanceof ClientException clientException) {
                throw clientException;
            }
            throw new ClientException(ClientException.Reason.IO, String.valueOf(cause), cause);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            pending.remove(request);
            throw new ClientException(ClientException.Reason.IO, "Interrupted waiting for " + request.description, e);
        }
    }

    /** Call with {@code sendLock} held, so the wire order is the request order. */
    private void write(ClientFrame frame, CompletableFuture<?> outcome, boolean completeOnSent) {
        Session s = session;
        if (s == null || !s.isOpen() || closed.isDone()) {
            outcome.completeExceptionally(new ClientException(ClientException.Reason.CLOSED, "Connection closed"));
            return;
        }
        s.sendText(codec.encode(frame), Callback.from(() -> {
            if (completeOnSent) {
                outcome.complete(null);
            }
        }, failure -> outcome.completeExceptionally(sendFailure(failure))));
    }

    private static ClientException sendFailure(Throwable failure) {
        if (failure instanceof WritePendingException) {
            return new ClientException(ClientException.Reason.QUEUE_FULL,
                    "Outgoing queue full: the server is not reading", failure);
        }
        return new ClientException(ClientException.Reason.CLOSED, "Send failed: " + failure, failure);
    }

    private static String seconds(Duration d) {
        long ms = d.toMillis();
        return ms % 1000 == 0 ? ms / 1000 + " s" : ms + " ms";
    }
}
