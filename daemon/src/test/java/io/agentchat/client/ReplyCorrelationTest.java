package io.agentchat.client;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.agentchat.server.MutableClock;
import io.agentchat.identity.Identity;
import io.agentchat.protocol.ClientFrame;
import io.agentchat.protocol.ErrorCode;
import io.agentchat.protocol.ServerFrame;
import io.agentchat.server.AgentChatServer;
import io.agentchat.server.ServerConfig;
import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Replies are matched to requests by order only, so every reply the server still owes us must be
 * accounted for, awaited or not. These tests fix the order in which the client reads replies by
 * stalling its reader: with a dispatch backlog of 1, a listener blocked on one frame and a second
 * frame queued, the connection stops reading at the third (TCP backpressure, see FrameDispatcher).
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class ReplyCorrelationTest {
    private static final Duration WAIT = Duration.ofSeconds(10);

    private final MutableClock clock = new MutableClock(Instant.now());
    private AgentChatServer server;
    private AgentChatClient client;
    private AgentChatClient stallable;
    private URI uri;

    @BeforeEach
    void start() throws Exception {
        server = new AgentChatServer(ServerConfig.builder().host("127.0.0.1").port(0)
                .rateLimit(Duration.ZERO).dataDir(null).clock(clock).build()).start();
        uri = server.uri();
        client = new AgentChatClient(ClientOptions.defaults().withTimeouts(WAIT));
        ClientOptions defaults = ClientOptions.defaults();
        stallable = new AgentChatClient(new ClientOptions(WAIT, WAIT, Duration.ZERO, defaults.maxOutgoingFrames(), 1,
                defaults.maxFrameBytes(), clock, true));
    }

    @AfterEach
    void stop() {
        stallable.close();
        client.close();
        server.close();
    }

    @Test
    void anErrorDrawnByOurAnswerToAVerificationIsNotTakenForTheMessageInFlight() throws Exception {
        Gate gate = new Gate();
        try (Connection peer = client.connect(uri, "peer", null);
             Connection target = stallable.connect(uri, "target", Identity.generate("target", clock), gate)) {
            await("the handshake challenge was answered").atMost(WAIT)
                    .until(() -> gate.frames.stream().anyMatch(f -> f instanceof ServerFrame.VerifySuccess));
            CompletableFuture<ServerFrame> stalled = target.expect(f -> isMsg(f, "stall") ? f : null);
            for (String content : List.of("hold", "fill", "stall")) {
                peer.send(target.agentId(), content);
            }
            stalled.get(WAIT.toSeconds(), TimeUnit.SECONDS); // the target stops reading here

            // A peer asks the target to prove its key; the request expires before the target reads it.
            CompletableFuture<ServerFrame> acknowledged = peer.expect(
                    f -> f instanceof ServerFrame.VerifyRequest v && "pending".equals(v.status()) ? f : null);
            peer.sendFrame(new ClientFrame.VerifyRequest(target.agentId(), "0123456789abcdef0123456789abcdef"));
            acknowledged.get(WAIT.toSeconds(), TimeUnit.SECONDS);
            clock.advance(Duration.ofSeconds(31));

            // The target reads the challenge, answers it (the server will refuse: expired), and stalls again.
            CompletableFuture<ServerFrame> challenged = target.expect(
                    f -> f instanceof ServerFrame.VerifyRequest v && v.isChallenge() ? f : null);
            gate.release("hold");
            challenged.get(WAIT.toSeconds(), TimeUnit.SECONDS);

            // A message goes out after the answer, so the server's ERROR for the answer is read first.
            CompletableFuture<ServerFrame.Msg> sent = target.sendAsync(peer.agentId(), "a line");
            gate.releaseAll();
            assertEquals("a line", sent.get(WAIT.toSeconds(), TimeUnit.SECONDS).content());
            await("the refusal of the answer still reaches the listener").atMost(WAIT).until(() ->
                    gate.frames.stream().anyMatch(f -> f instanceof ServerFrame.Error e
                            && ErrorCode.VERIFICATION_EXPIRED.name().equals(e.code())));
        }
    }

    @Test
    void thePongConfirmingAFailedInviteNeverConfirmsTheNextOne() throws Exception {
        Gate gate = new Gate();
        try (Connection alice = client.connect(uri, "alice", null);
             Connection bob = stallable.connect(uri, "bob", null, gate)) {
            CompletableFuture<ServerFrame> filled = bob.expect(f -> isMsg(f, "fill") ? f : null);
            alice.send(bob.agentId(), "hold");
            alice.send(bob.agentId(), "fill");
            filled.get(WAIT.toSeconds(), TimeUnit.SECONDS); // bob stops reading at the next frame

            // The ERROR fails the first invite; the PONG of its barrier PING is still unread.
            ServerErrorException first = assertThrows(ServerErrorException.class,
                    () -> bob.invite("#nosuch", alice.agentId()));
            assertEquals(ErrorCode.CHANNEL_NOT_FOUND, first.code());

            CompletableFuture<Void> second = bob.inviteAsync("#nosuch", alice.agentId());
            gate.releaseAll();
            ExecutionException failure = assertThrows(ExecutionException.class,
                    () -> second.get(WAIT.toSeconds(), TimeUnit.SECONDS));
            assertTrue(failure.getCause() instanceof ServerErrorException, String.valueOf(failure.getCause()));
            assertEquals(ErrorCode.CHANNEL_NOT_FOUND, ((ServerErrorException) failure.getCause()).code());
            assertTrue(bob.ping().toNanos() > 0, "the connection stays usable");
        }
    }

    private static boolean isMsg(ServerFrame frame, String content) {
        return frame instanceof ServerFrame.Msg m && content.equals(m.content());
    }

    /** Records every frame and blocks on the messages "hold" and "fill" until they are released. */
    private static final class Gate implements FrameListener {
        final List<ServerFrame> frames = new CopyOnWriteArrayList<>();
        private final Map<String, CountDownLatch> latches =
                Map.of("hold", new CountDownLatch(1), "fill", new CountDownLatch(1));

        @Override
        public void onFrame(ServerFrame frame, String rawText) {
            frames.add(frame);
            CountDownLatch latch = frame instanceof ServerFrame.Msg m ? latches.get(m.content()) : null;
            if (latch != null) {
                try {
                    latch.await(30, TimeUnit.SECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
        }

        void release(String content) {
            latches.get(content).countDown();
        }

        void releaseAll() {
            latches.values().forEach(CountDownLatch::countDown);
        }
    }
}
