package io.agentchat.server;

import static org.junit.jupiter.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.agentchat.identity.Ed25519;
import io.agentchat.identity.Identity;
import io.agentchat.identity.SignedText;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import org.eclipse.jetty.websocket.api.Callback;
import org.eclipse.jetty.websocket.api.Session;
import org.eclipse.jetty.websocket.client.WebSocketClient;

/**
 * A recording WebSocket client for tests (after Jetty's EventSocket): every text frame goes into
 * a queue, and every wait has a deadline that fails the test with what did arrive.
 */
public final class TestAgent extends Session.Listener.AbstractAutoDemanding implements AutoCloseable {
    static final Duration WAIT = Duration.ofSeconds(5);
    private static final ObjectMapper JSON = new ObjectMapper();

    private final BlockingQueue<String> frames = new LinkedBlockingQueue<>();
    private final BlockingQueue<String> pongs = new LinkedBlockingQueue<>();
    private final CountDownLatch closed = new CountDownLatch(1);
    private volatile int closeCode = -1;
    private volatile String closeReason;
    public String id;
    private JsonNode challenge;

    public static TestAgent connect(WebSocketClient client, URI uri) throws Exception {
        TestAgent agent = new TestAgent();
        client.connect(agent, uri).get(5, TimeUnit.SECONDS);
        return agent;
    }

    /** Connects and identifies as an ephemeral agent; remembers the assigned {@code @id}. */
    public static TestAgent ephemeral(WebSocketClient client, URI uri, String name) throws Exception {
        TestAgent agent = connect(client, uri);
        agent.send("{\"type\":\"IDENTIFY\",\"name\":\"" + name + "\",\"pubkey\":null}");
        agent.id = agent.await("WELCOME").get("agent_id").asText();
        return agent;
    }

    /**
     * Connects with a key and never answers the IDENTIFY challenge, as the original's client does
     * (or anyone who has only the public key).
     */
    public static TestAgent unproven(WebSocketClient client, URI uri, Identity identity) throws Exception {
        TestAgent agent = connect(client, uri);
        agent.send("{\"type\":\"IDENTIFY\",\"name\":\"" + identity.name() + "\",\"pubkey\":"
                + JSON.writeValueAsString(identity.pubkey()) + "}");
        agent.challenge = agent.await("VERIFY_REQUEST");
        agent.id = agent.await("WELCOME").get("agent_id").asText();
        return agent;
    }

    /**
     * The VERIFY_RESPONSE that answers this agent's IDENTIFY challenge as our client does: the signed
     * text names the host the agent dialled.
     */
    public String challengeAnswer(Identity identity, URI dialled) {
        return challengeAnswer(identity, SignedText.identifyChallenge(SignedText.challengeHost(dialled.getRawAuthority()),
                challenge.get("nonce").asText()));
    }

    /** A VERIFY_RESPONSE to this agent's IDENTIFY challenge carrying the signature of {@code signedText}. */
    public String challengeAnswer(Identity identity, String signedText) {
        return "{\"type\":\"VERIFY_RESPONSE\",\"request_id\":\"" + challenge.get("request_id").asText()
                + "\",\"nonce\":\"" + challenge.get("nonce").asText() + "\",\"sig\":\"" + identity.sign(signedText)
                + "\"}";
    }

    public JsonNode challenge() {
        return challenge;
    }

    /** Connects with a key and answers the IDENTIFY challenge, as our client does. */
    public static TestAgent proven(WebSocketClient client, URI uri, Identity identity) throws Exception {
        TestAgent agent = unproven(client, uri, identity);
        agent.send(agent.challengeAnswer(identity, uri));
        agent.await("VERIFY_SUCCESS");
        return agent;
    }

    @Override
    public void onWebSocketText(String message) {
        frames.add(message);
    }

    @Override
    public void onWebSocketPong(java.nio.ByteBuffer payload) {
        pongs.add(java.nio.charset.StandardCharsets.UTF_8.decode(payload).toString());
    }

    /** The payload of the next WebSocket pong, or a failure after the deadline. */
    public String awaitPong() throws InterruptedException {
        String payload = pongs.poll(WAIT.toMillis(), TimeUnit.MILLISECONDS);
        if (payload == null) {
            throw new AssertionError("no pong within " + WAIT);
        }
        return payload;
    }

    @Override
    public void onWebSocketClose(int statusCode, String reason) {
        closeCode = statusCode;
        closeReason = reason;
        closed.countDown();
    }

    @Override
    public void onWebSocketError(Throwable cause) {
        closed.countDown();
    }

    public void send(String text) {
        getSession().sendText(text, Callback.NOOP);
    }

    /** The next frame, whatever it is. */
    public JsonNode next() throws Exception {
        String text = frames.poll(WAIT.toMillis(), TimeUnit.MILLISECONDS);
        if (text == null) {
            fail("no frame within " + WAIT);
        }
        return JSON.readTree(text);
    }

    public String nextRaw() throws Exception {
        String text = frames.poll(WAIT.toMillis(), TimeUnit.MILLISECONDS);
        if (text == null) {
            fail("no frame within " + WAIT);
        }
        return text;
    }

    /** Skips frames until one of {@code type} arrives. */
    public JsonNode await(String type) throws Exception {
        return await(type, frame -> true);
    }

    public JsonNode await(String type, Predicate<JsonNode> match) throws Exception {
        List<String> skipped = new ArrayList<>();
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (System.nanoTime() < deadline) {
            String text = frames.poll(Math.max(1, (deadline - System.nanoTime()) / 1_000_000), TimeUnit.MILLISECONDS);
            if (text == null) {
                break;
            }
            JsonNode frame = JSON.readTree(text);
            if (type.equals(frame.path("type").asText()) && match.test(frame)) {
                return frame;
            }
            skipped.add(text);
        }
        fail("no " + type + " frame within " + WAIT + "; got " + skipped);
        return null;
    }

    /** Expects an ERROR with this code and message. */
    public void awaitError(String code, String message) throws Exception {
        JsonNode error = await("ERROR");
        if (!code.equals(error.get("code").asText()) || !message.equals(error.get("message").asText())) {
            fail("expected ERROR " + code + " '" + message + "' but got " + error);
        }
    }

    /** A PING/PONG round trip: everything the server sent before the PONG is now queued. */
    public List<JsonNode> drainUntilPong() throws Exception {
        send("{\"type\":\"PING\"}");
        List<JsonNode> before = new ArrayList<>();
        while (true) {
            JsonNode frame = next();
            if ("PONG".equals(frame.path("type").asText())) {
                return before;
            }
            before.add(frame);
        }
    }

    public String sign(Identity identity, String text) {
        return identity.sign(text);
    }

    public boolean awaitClose() throws InterruptedException {
        return closed.await(WAIT.toMillis(), TimeUnit.MILLISECONDS);
    }

    /** True once the socket has closed or failed; never waits. */
    public boolean isClosed() {
        return closed.getCount() == 0;
    }

    public int closeCode() {
        return closeCode;
    }

    public String closeReason() {
        return closeReason;
    }

    public boolean isOpen() {
        Session session = getSession();
        return session != null && session.isOpen();
    }

    @Override
    public void close() {
        Session session = getSession();
        if (session != null && session.isOpen()) {
            session.close();
        }
    }

    /** Every frame received and not yet taken, without waiting (e.g. after {@link #awaitClose()}). */
    public List<JsonNode> takeReceived() throws Exception {
        List<JsonNode> received = new ArrayList<>();
        String text;
        while ((text = frames.poll()) != null) {
            received.add(JSON.readTree(text));
        }
        return received;
    }

    static boolean verify(String pubkey, String text, String sig) {
        return Ed25519.verify(pubkey, text, sig);
    }
}
