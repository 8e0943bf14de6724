package io.agentchat.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

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
        private volatile String id;

        @Override
        public void onWebSocketOpen(Session session) {
            super.onWebSocketOpen(session);
            session.sendText("{\"type\":\"IDENTIFY\",\"name\":\"slow\"}", Callback.NOOP);
            session.sendText("{\"type\":\"JOIN\",\"channel\":\"#general\"}", Callback.NOOP);
            session.demand();
        }

        @Override
        public void onWebSocketText(String message) {
            if (message.contains("\"WELCOME\"")) {
                id = message.replaceAll(".*\"agent_id\":\"([^\"]+)\".*", "$1");
            }
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
            // The silent member reads nothing, so it answers no ping: dropped after 2.5 ping intervals of silence.
            watcher.await("AGENT_LEFT");
        }
    }

    @Test
    void aStalledMemberIsDisconnectedAndDoesNotStallTheChannel() throws Exception {
        // The bound leaves the publisher (which reads its own echoes on the client's thread, late on a
        // loaded machine) room for 25 batches of lag; the stalled member still piles up 20 MB, more
        // than the bound and every kernel buffer between them.
        start(config().maxOutgoingBytes(2 * 1024 * 1024).framesPerSecond(0).build());
        StalledReader slow = new StalledReader();
        client.connect(slow, uri).get(5, TimeUnit.SECONDS);
        slow.joined.await(5, TimeUnit.SECONDS);
        try (TestAgent publisher = joined("pub", "#general"); TestAgent reader = joined("reader", "#general")) {
            publisher.drainUntilPong();
            String payload = "x".repeat(4000);
            int sent = 5000;
            int received = 0;
            boolean slowLeft = false;
            // Published in batches of 80 KB, each read by the reader before the next: a reader that
            // keeps up stays far under the bound.
            for (int i = 0; i < sent; i++) {
                publisher.send("{\"type\":\"MSG\",\"to\":\"#general\",\"content\":\"" + i + payload + "\"}");
                if (i % 20 != 19 && i != sent - 1) {
                    continue;
                }
                while (received <= i) {
                    JsonNode frame = reader.next();
                    if (frame.get("type").asText().equals("MSG") && !frame.get("from").asText().equals("@server")) {
                        assertEquals(String.valueOf(received), frame.get("content").asText().replace(payload, ""));
                        received++;
                    } else if (frame.get("type").asText().equals("AGENT_LEFT")) {
                        slowLeft = true;
                    }
                }
            }
            // The last batch (i == sent - 1) was read to the end above.
            if (!slowLeft) {
                reader.await("AGENT_LEFT");
            }
        }
    }

    /**
     * The bound is in bytes, not frames: DMs of 4,096 control characters are 24.6 KB each on the
     * wire, so 1,000 of them are 25 MB but far fewer frames than a frame bound (4,096) would allow.
     * With the default 4 MiB bound the reader that stopped is dropped after a few hundred (the
     * rest of what it holds is in the kernel's socket buffers); the sender, who reads its echoes
     * batch by batch, is served throughout.
     */
    @Test
    void aStalledReaderIsDroppedOnceItsQueuedBytesPassTheBound() throws Exception {
        start(config().framesPerSecond(0).build());
        StalledReader stalled = new StalledReader();
        client.connect(stalled, uri).get(5, TimeUnit.SECONDS);
        assertTrue(stalled.joined.await(5, TimeUnit.SECONDS), "the stalled reader joined");
        try (TestAgent sender = ephemeral("sender"); TestAgent watcher = joined("watcher", "#general")) {
            String dm = "{\"type\":\"MSG\",\"to\":\"" + stalled.id + "\",\"content\":\"" + "\\u0001".repeat(4096) + "\"}";
            int delivered = 0;
            boolean gone = false;
            for (int batch = 0; batch < 25 && !gone; batch++) {
                for (int i = 0; i < 40; i++) {
                    sender.send(dm);
                }
                for (int i = 0; i < 40; i++) {
                    JsonNode reply = sender.next();
                    if (reply.path("type").asText().equals("MSG")) {
                        assertEquals(4096, reply.get("content").asText().length());
                        delivered++;
                    } else {
                        assertEquals("AGENT_NOT_FOUND", reply.path("code").asText(), reply.toString());
                        gone = true;
                    }
                }
            }
            assertTrue(gone, "dropped before 1,000 DMs (25 MB) were queued for it");
            assertTrue(delivered < 1000, "delivered " + delivered);
            watcher.await("AGENT_LEFT", left -> left.path("agent").asText().equals(stalled.id));
            assertTrue(sender.drainUntilPong().isEmpty(), "the sender is still served");
        }
    }
}
