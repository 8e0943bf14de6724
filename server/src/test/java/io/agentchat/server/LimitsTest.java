package io.agentchat.server;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The bounds the original lacks (docs/limits.md), each with a clear answer. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class LimitsTest extends ServerHarness {

    @Test
    void messagesAreRateLimitedPerAgentAndRefusalsDoNotMoveTheWindow() throws Exception {
        MutableClock clock = new MutableClock();
        start(config().rateLimit(Duration.ofSeconds(1)).clock(clock).build());
        try (TestAgent alice = joined("alice", "#general")) {
            alice.send("{\"type\":\"MSG\",\"to\":\"#general\",\"content\":\"one\"}");
            alice.await("MSG");
            alice.send("{\"type\":\"MSG\",\"to\":\"#general\",\"content\":\"two\"}");
            alice.awaitError("RATE_LIMITED", "Rate limit exceeded (max 1 message per second)");
            clock.advance(Duration.ofMillis(600));
            alice.send("{\"type\":\"MSG\",\"to\":\"#general\",\"content\":\"three\"}");
            alice.awaitError("RATE_LIMITED", "Rate limit exceeded (max 1 message per second)");
            clock.advance(Duration.ofMillis(450));
            alice.send("{\"type\":\"MSG\",\"to\":\"#general\",\"content\":\"four\"}");
            assertEquals("four", alice.await("MSG").get("content").asText());
        }
    }

    @Test
    void everyFrameTypeSharesAFrameBudget() throws Exception {
        MutableClock clock = new MutableClock();
        start(config().clock(clock).build());
        try (TestAgent agent = ephemeral("pinger")) {
            for (int i = 0; i < 60; i++) {
                agent.send("{\"type\":\"PING\"}");
            }
            int pongs = 0;
            int limited = 0;
            for (int i = 0; i < 60; i++) {
                String type = agent.next().get("type").asText();
                if (type.equals("PONG")) {
                    pongs++;
                } else {
                    limited++;
                }
            }
            assertEquals(49, pongs, "50 frames of budget, IDENTIFY used one");
            assertEquals(11, limited);
            clock.advance(Duration.ofSeconds(1));
            agent.send("{\"type\":\"PING\"}");
            assertEquals("PONG", agent.next().get("type").asText());
        }
    }

    @Test
    void explicitZeroDisablesTheLimitAndTheReplay() throws Exception {
        start(config().rateLimit(Duration.ZERO).bufferSize(0).build());
        try (TestAgent alice = joined("alice", "#general")) {
            for (int i = 0; i < 5; i++) {
                alice.send("{\"type\":\"MSG\",\"to\":\"#general\",\"content\":\"m" + i + "\"}");
            }
            for (int i = 0; i < 5; i++) {
                assertEquals("m" + i, alice.await("MSG").get("content").asText());
            }
            try (TestAgent bob = ephemeral("bob")) {
                bob.send("{\"type\":\"JOIN\",\"channel\":\"#general\"}");
                bob.await("JOINED");
                assertEquals("@server", bob.next().get("from").asText(), "no replay with buffer size 0");
            }
        }
    }

    @Test
    void oversizedFramesCloseTheConnectionWith1009() throws Exception {
        start(config().maxFrameBytes(4096).build());
        try (TestAgent agent = ephemeral("big")) {
            agent.send("{\"type\":\"PING\",\"pad\":\"" + "x".repeat(5000) + "\"}");
            assertTrue(agent.awaitClose());
            assertEquals(1009, agent.closeCode());
        }
    }

    @Test
    void oversizedFragmentedMessagesCloseTheConnectionWith1009() throws Exception {
        start(config().maxFrameBytes(4096).build());
        try (TestAgent agent = ephemeral("big")) {
            // Each fragment is under the limit; the message they make is not.
            agent.getSession().sendPartialText("{\"type\":\"PING\",\"pad\":\"" + "x".repeat(3000), false,
                    org.eclipse.jetty.websocket.api.Callback.NOOP);
            agent.getSession().sendPartialText("x".repeat(3000) + "\"}", true,
                    org.eclipse.jetty.websocket.api.Callback.NOOP);
            assertTrue(agent.awaitClose());
            assertEquals(1009, agent.closeCode());
        }
    }

    @Test
    void unidentifiedSocketsAreClosedAfterTheTimeout() throws Exception {
        start(config().identifyTimeout(Duration.ofMillis(200)).build());
        try (TestAgent silent = TestAgent.connect(client, uri)) {
            assertTrue(silent.awaitClose());
            assertEquals(1008, silent.closeCode());
            assertEquals("IDENTIFY timeout", silent.closeReason());
        }
    }

    @Test
    void connectionsPerAddressAreCapped() throws Exception {
        start(config().maxConnectionsPerIp(2).build());
        try (TestAgent a = ephemeral("a"); TestAgent b = ephemeral("b"); TestAgent c = TestAgent.connect(client, uri)) {
            assertTrue(c.awaitClose());
            assertEquals(1013, c.closeCode());
            assertTrue(a.isOpen() && b.isOpen());
        }
    }

    @Test
    void createdChannelsAreCappedPerCreatorAndReclaimedAfterTheGrace() throws Exception {
        start(config().maxChannelsPerCreator(2).emptyChannelGrace(Duration.ofMillis(100)).build());
        try (TestAgent owner = ephemeral("owner")) {
            owner.send("{\"type\":\"CREATE_CHANNEL\",\"channel\":\"#one\"}");
            owner.await("JOINED");
            owner.send("{\"type\":\"CREATE_CHANNEL\",\"channel\":\"#two\"}");
            owner.await("JOINED");
            owner.send("{\"type\":\"CREATE_CHANNEL\",\"channel\":\"#three\"}");
            owner.awaitError("INVALID_MSG", "Channel limit reached (max 2 channels per agent)");
            owner.send("{\"type\":\"LEAVE\",\"channel\":\"#one\"}");
            owner.await("LEFT");
            await().atMost(Duration.ofSeconds(5)).pollInterval(Duration.ofMillis(50)).until(() -> {
                owner.send("{\"type\":\"CREATE_CHANNEL\",\"channel\":\"#three\"}");
                return owner.next().get("type").asText().equals("JOINED");
            });
        }
    }

    @Test
    void aChannelOutlivesTheConnectionThatCreatedIt() throws Exception {
        start();
        try (TestAgent owner = ephemeral("owner")) {
            owner.send("{\"type\":\"CREATE_CHANNEL\",\"channel\":\"#kept\"}");
            owner.await("JOINED");
        }
        try (TestAgent later = ephemeral("later")) {
            later.send("{\"type\":\"JOIN\",\"channel\":\"#kept\"}");
            later.await("JOINED");
        }
    }

    @Test
    void aChannelListingNamesAtMostTheBusiestChannelsInCreationOrder() throws Exception {
        start(config().maxListedChannels(3).maxChannelsPerCreator(20).framesPerSecond(0).build());
        try (TestAgent maker = ephemeral("maker"); TestAgent fan = ephemeral("fan")) {
            for (int i = 0; i < 10; i++) {
                maker.send("{\"type\":\"CREATE_CHANNEL\",\"channel\":\"#c" + i + "\"}");
                maker.await("JOINED");
            }
            for (int i = 0; i < 10; i++) {
                if (i != 4 && i != 9) {
                    maker.send("{\"type\":\"LEAVE\",\"channel\":\"#c" + i + "\"}");
                }
            }
            maker.drainUntilPong();
            fan.send("{\"type\":\"JOIN\",\"channel\":\"#c9\"}");
            fan.await("JOINED");
            // 13 public channels: #c9 has two members, #c4 one, the rest none (oldest first: #general).
            fan.send("{\"type\":\"LIST_CHANNELS\"}");
            com.fasterxml.jackson.databind.JsonNode list = fan.await("CHANNELS").get("list");
            assertEquals("[{\"name\":\"#general\",\"agents\":0},{\"name\":\"#c4\",\"agents\":1},"
                    + "{\"name\":\"#c9\",\"agents\":2}]", list.toString());
        }
    }
}
