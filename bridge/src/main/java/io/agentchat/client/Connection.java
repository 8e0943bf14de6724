package io.agentchat.client;

import io.agentchat.identity.Identity;
import io.agentchat.identity.SignedText;
import io.agentchat.protocol.ChannelPosition;
import io.agentchat.protocol.ClientFrame;
import io.agentchat.protocol.FrameCodec;
import io.agentchat.protocol.ProtocolException;
import io.agentchat.protocol.ServerFrame;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Function;
import org.eclipse.jetty.websocket.api.Callback;
import org.eclipse.jetty.websocket.api.Session;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One identified connection to an AgentChat server, made by {@link AgentChatClient#connect}.
 *
 * <p>Every request comes in two forms, as in nats.java's {@code Connection.request}: {@code joinAsync}
 * returns a future, and {@code join} blocks on it. The future completes with the server's reply, or
 * fails with {@link ServerErrorException} (the server's ERROR, with its code and message) or
 * {@link ClientException} (TIMEOUT after {@link ClientOptions#requestTimeout()}, CLOSED, QUEUE_FULL);
 * it always completes. It completes on a client thread (the socket reader or the timer), so keep
 * what you chain on it short, or give it your own executor. Cancelling it gives the request up.
 * Requests may be made from several threads; they go out in call order and replies are matched in
 * that order. Everything the server sends also reaches the {@link FrameListener} given at connect
 * time, which was in place before the first request, so nothing (JOINED, replay, welcome) can be missed.
 *
 * <p>With an {@link Identity}, IDENTIFY carries its pubkey text unchanged, the server's identity
 * challenge is answered during the handshake, and every MSG is signed as the reference signs it.
 *
 * <p>The parts, each in its own class: the handshake ({@link Handshake}), requests and their
 * timeouts ({@link Requests}, over {@link PendingRequests}), the write path ({@link FrameWriter}),
 * answering verification ({@link VerificationAnswers}) and the keep-alive ({@link KeepAlive}). This
 * class is the API and the connection's life: what the socket reports and how it closes. It is
 * longer than our usual ~300 lines because each of the eight requests has its two public forms
 * and one definition; none of the machinery is here.
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
    private final CompletableFuture<ConnectionClosed> closed = new CompletableFuture<>();
    private final AtomicBoolean closeHandled = new AtomicBoolean();
    private final FrameWriter writer;
    private final Requests requests;
    /** Frames awaited outside the request FIFO (verification outcomes); few are ever outstanding. */
    private final FrameWaiters waiters = new FrameWaiters(64);
    private final Handshake handshake;
    private final VerificationAnswers verifications;
    private final KeepAlive keepAlive;
    private final ScheduledExecutorService timer;
    private volatile boolean localClose;
    private volatile String abortReason;

    /** @param timer runs request timeouts and the keep-alive; owned by the client */
    Connection(URI uri, String name, Identity identity, ClientOptions options, FrameCodec codec,
               FrameListener listener, String threadName, ScheduledExecutorService timer) {
        this.uri = uri;
        this.name = identity != null ? identity.name() : name;
        this.identity = identity;
        this.options = options;
        this.codec = codec;
        this.listener = listener == null ? FrameListener.NONE : listener;
        this.dispatcher = new FrameDispatcher(threadName, options.maxDispatchBacklog());
        this.timer = timer;
        this.writer = new FrameWriter(codec, closed);
        this.requests = new Requests(writer, timer);
        this.handshake = new Handshake(requests, this.name, identity, options.connectTimeout());
        this.verifications = new VerificationAnswers(requests, identity, uri, options.answerVerifications(),
                options.connectTimeout());
        this.keepAlive = new KeepAlive(uri, options.keepAlive());
    }

    /** Our agent id with its {@code @}, as WELCOME gave it. */
    public String agentId() {
        return handshake.welcome().agentId();
    }

    /** The server's WELCOME: our id, its name and, from servers that say it, its MSG pace. */
    public ServerFrame.Welcome welcome() {
        return handshake.welcome();
    }

    /** The name sent in IDENTIFY (the identity's name when there is one). */
    public String name() {
        return name;
    }

    /** The server's name from WELCOME. */
    public String serverName() {
        return handshake.welcome().server();
    }

    public URI uri() {
        return uri;
    }

    public boolean isOpen() {
        Session s = writer.session();
        return s != null && s.isOpen() && !closed.isDone();
    }

    /** Completes when the connection has closed, for whatever reason. Never fails. */
    public CompletableFuture<ConnectionClosed> closed() {
        return closed;
    }

    /** Joins {@code channel}: its JOINED frame. The replay burst that follows goes to the listener. */
    public CompletableFuture<ServerFrame.Joined> joinAsync(String channel) {
        return joinRequest(channel, null).future;
    }

    /** {@link #joinAsync}, waiting for the JOINED frame. */
    public ServerFrame.Joined join(String channel) {
        return Requests.await(joinRequest(channel, null));
    }

    /**
     * Rejoins {@code channel} after {@code since}, the last of its messages this client saw: the
     * JOINED frame says whether every later message follows ({@code recovered}); they go to the
     * listener, as the replay does, before the welcome.
     */
    public CompletableFuture<ServerFrame.Joined> resumeAsync(String channel, ChannelPosition since) {
        return joinRequest(channel, since).future;
    }

    /** {@link #resumeAsync}, waiting for the JOINED frame. */
    public ServerFrame.Joined resume(String channel, ChannelPosition since) {
        return Requests.await(joinRequest(channel, since));
    }

    /** Leaves {@code channel}. Confirmed by a PING round trip, since the server may not answer a LEAVE. */
    public CompletableFuture<Void> leaveAsync(String channel) {
        return leaveRequest(channel).future.thenApply(ok -> null);
    }

    /** {@link #leaveAsync}, waiting for the confirmation. */
    public void leave(String channel) {
        Requests.await(leaveRequest(channel));
    }

    /**
     * Sends a message to {@code #channel} or {@code @agent}; completes when the server has routed it,
     * with its echo (the channel copy, or the DM copy to the sender), or fails with its ERROR.
     */
    public CompletableFuture<ServerFrame.Msg> sendAsync(String to, String content) {
        return sendRequest(to, content).future;
    }

    /**
     * {@link #sendAsync}, waiting until the server has routed the message.
     *
     * @return the server's echo of the message
     */
    public ServerFrame.Msg send(String to, String content) {
        return Requests.await(sendRequest(to, content));
    }

    /** The public channels with their member counts. */
    public CompletableFuture<List<ServerFrame.ChannelInfo>> listChannelsAsync() {
        return listChannelsRequest().future;
    }

    /** {@link #listChannelsAsync}, waiting for the list. */
    public List<ServerFrame.ChannelInfo> listChannels() {
        return Requests.await(listChannelsRequest());
    }

    /** The members of {@code channel}. */
    public CompletableFuture<List<ServerFrame.AgentInfo>> listAgentsAsync(String channel) {
        return listAgentsRequest(channel).future;
    }

    /** {@link #listAgentsAsync}, waiting for the list. */
    public List<ServerFrame.AgentInfo> listAgents(String channel) {
        return Requests.await(listAgentsRequest(channel));
    }

    /** Creates {@code channel} (and joins it): its JOINED frame. */
    public CompletableFuture<ServerFrame.Joined> createChannelAsync(String channel, boolean inviteOnly) {
        return createChannelRequest(channel, inviteOnly).future;
    }

    /** {@link #createChannelAsync}, waiting for the JOINED frame. */
    public ServerFrame.Joined createChannel(String channel, boolean inviteOnly) {
        return Requests.await(createChannelRequest(channel, inviteOnly));
    }

    /**
     * Invites {@code agent} ({@code @id}) into {@code channel}. The server sends no acknowledgement,
     * so a PING follows: an ERROR before the PONG is the invite's failure.
     */
    public CompletableFuture<Void> inviteAsync(String channel, String agent) {
        return inviteRequest(channel, agent).future.thenApply(ok -> null);
    }

    /** {@link #inviteAsync}, waiting for the confirmation. */
    public void invite(String channel, String agent) {
        Requests.await(inviteRequest(channel, agent));
    }

    /** One PING/PONG round trip, timed; also a barrier: every earlier request has been handled. */
    public CompletableFuture<Duration> pingAsync() {
        long start = System.nanoTime();
        return pingRequest().future.thenApply(ok -> Duration.ofNanos(System.nanoTime() - start));
    }

    /** {@link #pingAsync}, waiting for the PONG. */
    public Duration ping() {
        long start = System.nanoTime();
        Requests.await(pingRequest());
        return Duration.ofNanos(System.nanoTime() - start);
    }

    /**
     * Sends a frame without waiting for any reply. Its replies, and any ERROR, reach only the
     * listener; an ERROR it draws while a request is pending is taken as that request's failure,
     * so prefer the request methods.
     */
    public CompletableFuture<Void> sendFrame(ClientFrame frame) {
        return writer.send(frame);
    }

    /** Closes with 1000 and waits briefly for the listener to see {@code onClosed}. Idempotent. */
    @Override
    public void close() {
        localClose = true;
        Session s = writer.session();
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

    // ---- the requests, each built once for its two forms ----

    private PendingRequests.Request<ServerFrame.Joined> joinRequest(String channel, ChannelPosition since) {
        ClientFrame.Join join = since == null ? new ClientFrame.Join(channel)
                : new ClientFrame.Join(channel, since.seq(), since.epoch());
        return requestAsync("JOINED for " + channel,
                f -> f instanceof ServerFrame.Joined j && channel.equals(j.channel()) ? j : null, join);
    }

    private PendingRequests.Request<Boolean> leaveRequest(String channel) {
        return requests.sendWithPing("PONG after LEAVE " + channel, options.requestTimeout(),
                new ClientFrame.Leave(channel));
    }

    private PendingRequests.Request<ServerFrame.Msg> sendRequest(String to, String content) {
        ClientFrame.Msg frame;
        if (identity != null) {
            long ts = options.clock().millis();
            frame = new ClientFrame.Msg(to, content, ts, identity.sign(SignedText.msg(to, content, ts)));
        } else {
            frame = new ClientFrame.Msg(to, content);
        }
        String self = agentId();
        return requestAsync("the echo of a MSG to " + to,
                f -> f instanceof ServerFrame.Msg m && !m.isReplay() && self.equals(m.from())
                        && to.equals(m.to()) && content.equals(m.content()) ? m : null,
                frame);
    }

    private PendingRequests.Request<List<ServerFrame.ChannelInfo>> listChannelsRequest() {
        return requestAsync("CHANNELS", f -> f instanceof ServerFrame.Channels c ? c.list() : null,
                new ClientFrame.ListChannels());
    }

    private PendingRequests.Request<List<ServerFrame.AgentInfo>> listAgentsRequest(String channel) {
        return requestAsync("AGENTS for " + channel,
                f -> f instanceof ServerFrame.Agents a && channel.equals(a.channel()) ? a.list() : null,
                new ClientFrame.ListAgents(channel));
    }

    private PendingRequests.Request<ServerFrame.Joined> createChannelRequest(String channel, boolean inviteOnly) {
        return requestAsync("JOINED for new channel " + channel,
                f -> f instanceof ServerFrame.Joined j && channel.equals(j.channel()) ? j : null,
                new ClientFrame.CreateChannel(channel, inviteOnly));
    }

    private PendingRequests.Request<Boolean> inviteRequest(String channel, String agent) {
        return requests.sendWithPing("PONG after INVITE", options.requestTimeout(),
                new ClientFrame.Invite(channel, agent));
    }

    private PendingRequests.Request<Boolean> pingRequest() {
        return requestAsync("PONG", PendingRequests::pong, new ClientFrame.Ping());
    }

    // ---- used by AgentChatClient and ClientEndpoint: the socket's side ----

    void identify(Duration timeout) {
        handshake.identify(timeout);
        verifications.awaitChallengeVerdict();
    }

    void startKeepAlive() {
        keepAlive.start(timer, writer::session, this::dropSilent);
    }

    /** Tears down a connection that never completed its handshake. */
    void abort(String reason) {
        abortReason = reason;
        localClose = true;
        Session s = writer.session();
        if (s != null) {
            s.disconnect();
        }
        closedBySocket(1006, reason);
        dispatcher.close();
    }

    void opened(Session newSession) {
        writer.attach(newSession);
        heard();
    }

    void heard() {
        keepAlive.heard();
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
        handshake.onFrame(frame);
        if (frame instanceof ServerFrame.VerifyRequest request) {
            verifications.onRequest(request, !handshake.welcomed());
        }
        waiters.onFrame(frame);
        requests.onFrame(frame);
        dispatcher.dispatch(() -> listener.onFrame(frame, text));
    }

    void closedBySocket(int code, String reason) {
        if (!closeHandled.compareAndSet(false, true)) {
            return;
        }
        keepAlive.stop();
        String why = abortReason != null ? abortReason : reason;
        ConnectionClosed status = new ConnectionClosed(code, why, localClose);
        ClientException cause = new ClientException(ClientException.Reason.CLOSED,
                localClose ? "Connection closed" : "Connection closed by server: " + status.describe());
        requests.closeAll(cause);
        waiters.closeAll(cause);
        dispatcher.dispatch(() -> listener.onClosed(code, status.reason()));
        dispatcher.finish();
        closed.complete(status);
    }

    void failed(Throwable cause) {
        if (!closed.isDone()) {
            dispatcher.dispatch(() -> listener.onError(cause));
        }
        Session s = writer.session();
        if (s == null || !s.isOpen()) {
            closedBySocket(1006, cause.getMessage() == null ? cause.getClass().getSimpleName() : cause.getMessage());
        }
    }

    /** The keep-alive found the server silent. */
    private void dropSilent(Session s) {
        abortReason = "Server not responding";
        s.disconnect();
        closedBySocket(1006, abortReason);
    }

    // ---- used by MarketClient ----

    Identity identity() {
        return identity;
    }

    /** A future for the first later frame {@code matcher} accepts; register it before sending what provokes it. */
    <T> CompletableFuture<T> expect(Function<ServerFrame, T> matcher) {
        return waiters.add(matcher);
    }

    /** A request whose reply is the first frame {@code matcher} maps to a non-null value. */
    <T> PendingRequests.Request<T> requestAsync(String description, Function<ServerFrame, T> matcher,
                                                ClientFrame... frames) {
        return requests.send(description, matcher, options.requestTimeout(), frames);
    }

    /** {@link #requestAsync}, waiting for the reply. */
    <T> T request(String description, Function<ServerFrame, T> matcher, ClientFrame... frames) {
        return Requests.await(requestAsync(description, matcher, frames));
    }
}
