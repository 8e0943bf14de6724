package io.agentchat.bench;

import java.util.concurrent.CompletableFuture;
import org.eclipse.jetty.websocket.api.Callback;
import org.eclipse.jetty.websocket.api.Session;

/**
 * One simulated agent's socket. It identifies as soon as it opens, completes futures for the few
 * replies a scenario waits on (WELCOME, JOINED, PONG), hands benchmark messages to a
 * {@link Deliveries} sink, and counts everything else. Jetty calls it one frame at a time.
 */
public final class BenchSocket extends Session.Listener.AbstractAutoDemanding {
    /** Receives benchmark messages; {@code payloadAt} is where {@link Payload#parse} starts. */
    @FunctionalInterface
    interface Deliveries {
        void onBenchMessage(String frame, int payloadAt);
    }

    private static final String MSG_PREFIX = "{\"type\":\"MSG\"";

    private final String identifyFrame;
    private final Deliveries deliveries;
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

    BenchSocket(String identifyFrame, Deliveries deliveries) {
        this.identifyFrame = identifyFrame;
        this.deliveries = deliveries;
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
        if (deliveries != null && text.startsWith(MSG_PREFIX)) {
            int at = Payload.find(text);
            if (at >= 0) {
                deliveries.onBenchMessage(text, at);
                return;
            }
        }
        switch (typeOf(text)) {
            case "WELCOME" -> welcome.complete(field(text, "agent_id"));
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

    private static String typeOf(String frame) {
        // Both relays write "type" first: {"type":"X",...
        int start = frame.indexOf("\"type\":\"");
        if (start < 0) {
            return "";
        }
        start += 8;
        int end = frame.indexOf('"', start);
        return end < 0 ? "" : frame.substring(start, end);
    }

    private static String field(String frame, String name) {
        String key = "\"" + name + "\":\"";
        int start = frame.indexOf(key);
        if (start < 0) {
            return "";
        }
        start += key.length();
        return frame.substring(start, frame.indexOf('"', start));
    }
}
