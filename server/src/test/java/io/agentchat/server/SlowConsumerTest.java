package io.agentchat.server;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.concurrent.TimeUnit;
import org.eclipse.jetty.websocket.api.Callback;
import org.eclipse.jetty.websocket.api.Session;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** A member that stops reading is disconnected; the others keep getting every message. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class SlowConsumerTest extends ServerHarness {

    /** Reads the frames up to its JOINED, then never asks Jetty for more. */
    public static final class StalledReader extends Session.Listener.Abstract {
        private final java.util.concurrent.CountDownLatch joined = new java.util.concurrent.CountDownLatch(1);

        @Override
        public void onWebSocketOpen(Session session) {
            super.onWebSocketOpen(session);
            session.sendText("{\"type\":\"IDENTIFY\",\"name\":\"slow\"}", Callback.NOOP);
            session.sendText("{\"type\":\"JOIN\",\"channel\":\"#general\"}", Callback.NOOP);
            session.demand();
        }

        @Override
        public void onWebSocketText(String message) {
            if (message.contains("\"JOINED\"")) {
                joined.countDown();
                return; // no demand: Jetty stops reading, the socket's buffers fill up
            }
            getSession().demand();
        }
    }

    @Test
    void aPeerThatStopsAnsweringIsDroppedByTheHeartbeat() throws Exception {
        start(config().pingInterval(java.time.Duration.ofMillis(100)).build());
        StalledReader silent = new StalledReader();
        client.connect(silent, uri).get(5, TimeUnit.SECONDS);
        silent.joined.await(5, TimeUnit.SECONDS);
        try (TestAgent watcher = joined("watcher", "#general")) {
            // The silent member reads nothing, so it answers no ping: gone within 2.5 intervals (Q25).
            watcher.await("AGENT_LEFT");
        }
    }

    @Test
    void aStalledMemberIsDisconnectedAndDoesNotStallTheChannel() throws Exception {
        start(config().maxOutgoingFrames(16).framesPerSecond(0).build());
        StalledReader slow = new StalledReader();
        client.connect(slow, uri).get(5, TimeUnit.SECONDS);
        slow.joined.await(5, TimeUnit.SECONDS);
        try (TestAgent publisher = joined("pub", "#general"); TestAgent reader = joined("reader", "#general")) {
            publisher.drainUntilPong();
            String payload = "x".repeat(4000);
            int sent = 3000;
            for (int i = 0; i < sent; i++) {
                publisher.send("{\"type\":\"MSG\",\"to\":\"#general\",\"content\":\"" + i + payload + "\"}");
            }
            int received = 0;
            boolean slowLeft = false;
            while (received < sent) {
                JsonNode frame = reader.next();
                if (frame.get("type").asText().equals("MSG") && !frame.get("from").asText().equals("@server")) {
                    assertEquals(String.valueOf(received), frame.get("content").asText().replace(payload, ""));
                    received++;
                } else if (frame.get("type").asText().equals("AGENT_LEFT")) {
                    slowLeft = true;
                }
            }
            if (!slowLeft) {
                reader.await("AGENT_LEFT");
            }
        }
    }
}
