package io.agentchat.bench;

import java.util.concurrent.CompletableFuture;
import org.eclipse.jetty.websocket.api.Callback;
import org.eclipse.jetty.websocket.api.Session;

/**
 * One simulated agent's socket. It identifies as soon as it opens, completes futures for the few
 * replies a scenario waits on (WELCOME, JOINED, PONG) and counts everything else. Jetty calls it
 * one frame at a time. The idle and join-storm scenarios use it; fan-out uses {@link NioSocket}.
 */
public final class BenchSocket extends Session.Listener.AbstractAutoDemanding {
    private final String identifyFrame;
    private final CompletableFuture<String> welcome = new CompletableFuture<>();
    private final CompletableFuture<Void> joined = new CompletableFuture<>();
    private final CompletableFuture<Void> closed = new CompletableFuture<>();
    private volatile CompletableFuture<Void> pong = CompletableFuture.completedFuture(null);
    // Written only by the one thread Jetty is delivering on at a time; read after the run.
    private volatile long frames;
    private volatile long chars;
    private volatile long errors;
    private volatile String firstError;
    private volatile int closeCode = -1;
    private volatile String closeReason;

    BenchSocket(String identifyFrame) {
        this.identifyFrame = identifyFrame;
    }

    @Override
    public void onWebSocketOpen(Session session) {
        super.onWebSocketOpen(session);
        session.sendText(identifyFrame, Callback.NOOP);
    }

    @Override
    public void onWebSocketText(String text) {
        frames++;
        chars += text.length();
        switch (JsonPeek.type(text)) {
            case "WELCOME" -> welcome.complete(JsonPeek.string(text, "agent_id"));
            case "JOINED" -> joined.complete(null);
            case "PONG" -> pong.complete(null);
            case "ERROR" -> onError(text);
            default -> {
                // presence notices and server chatter: counted above, otherwise ignored
            }
        }
    }

    private void onError(String text) {
        errors++;
        if (firstError == null) {
            firstError = text;
        }
        IllegalStateException failure = new IllegalStateException("server answered " + text);
        welcome.completeExceptionally(failure);
        joined.completeExceptionally(failure);
    }

    @Override
    public void onWebSocketClose(int statusCode, String reason) {
        closeCode = statusCode;
        closeReason = reason;
        IllegalStateException failure = new IllegalStateException("closed " + statusCode + " " + reason);
        welcome.completeExceptionally(failure);
        joined.completeExceptionally(failure);
        pong.completeExceptionally(failure);
        closed.complete(null);
    }

    @Override
    public void onWebSocketError(Throwable cause) {
        // Overridden so Jetty does not log every ClosedChannelException at WARN when a run ends.
        welcome.completeExceptionally(cause);
        joined.completeExceptionally(cause);
        closed.complete(null);
    }

    void send(String text, Callback callback) {
        getSession().sendText(text, callback);
    }

    /** Sends PING; the future completes with the PONG, i.e. after everything queued before it arrived. */
    CompletableFuture<Void> ping(String pingFrame) {
        CompletableFuture<Void> next = new CompletableFuture<>();
        pong = next;
        getSession().sendText(pingFrame, Callback.NOOP);
        return next;
    }

    CompletableFuture<String> welcome() {
        return welcome;
    }

    CompletableFuture<Void> joined() {
        return joined;
    }

    long frames() {
        return frames;
    }

    long chars() {
        return chars;
    }

    long errors() {
        return errors;
    }

    String firstError() {
        return firstError;
    }

    /** -1 while open (or closed by us at the end of the run, which is not recorded before it is read). */
    int closeCode() {
        return closeCode;
    }

    String closeReason() {
        return closeReason;
    }
}
