package io.agentchat.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(value = 60, unit = TimeUnit.SECONDS)
class RelayProtocolTest extends ServerHarness {

    @BeforeEach
    void startServer() throws Exception {
        start(config().bufferSize(3).build());
    }

    @Test
    void identifyIsAnsweredWithWelcomeAndAnEphemeralId() throws Exception {
        try (TestAgent agent = TestAgent.connect(client, uri)) {
            agent.send("{\"type\":\"IDENTIFY\",\"name\":\"alice\",\"pubkey\":null}");
            JsonNode welcome = agent.next();
            assertEquals("WELCOME", welcome.get("type").asText());
            assertTrue(welcome.get("agent_id").asText().matches("@[a-z0-9]{8}"));
            assertEquals("agentchat", welcome.get("server").asText());
            agent.send("{\"type\":\"IDENTIFY\",\"name\":\"alice\"}");
            agent.awaitError("INVALID_MSG", "Already identified");
        }
    }

    @Test
    void framesBeforeIdentifyNeedAuthExceptListingsAndPing() throws Exception {
        try (TestAgent agent = TestAgent.connect(client, uri)) {
            agent.send("{\"type\":\"JOIN\",\"channel\":\"#general\"}");
            agent.awaitError("AUTH_REQUIRED", "Must IDENTIFY first");
            agent.send("{\"type\":\"JOIN\",\"channel\":\"general\"}");
            agent.awaitError("INVALID_MSG", "Invalid channel name");
            agent.send("{\"type\":\"LIST_CHANNELS\"}");
            JsonNode channels = agent.await("CHANNELS");
            assertEquals("#general", channels.get("list").get(0).get("name").asText());
            assertEquals(4, channels.get("list").size(), "#general, #agents, #discovery, #skills");
            agent.send("{\"type\":\"LIST_AGENTS\",\"channel\":\"#agents\"}");
            assertEquals(0, agent.await("AGENTS").get("list").size());
            agent.send("{\"type\":\"PING\",\"x\":1}");
            JsonNode pong = agent.next();
            assertEquals("PONG", pong.get("type").asText());
            assertFalse(pong.has("x"));
        }
    }

    @Test
    void malformedFramesGetErrorsAndTheConnectionStaysUsable() throws Exception {
        try (TestAgent agent = ephemeral("bob")) {
            for (String bad : List.of("null", "{bad", "42", "{\"type\":\"NOPE\"}", "{\"type\":\"MSG\",\"to\":5,\"content\":\"x\"}",
                    "{\"type\":\"REGISTER_SKILLS\",\"skills\":[null],\"sig\":\"x\"}",
                    "{\"type\":\"SEARCH_SKILLS\",\"query\":{\"capability\":5}}",
                    "{\"type\":\"VERIFY_REQUEST\",\"target\":5,\"nonce\":\"0123456789abcdef\"}")) {
                agent.send(bad);
                assertEquals("ERROR", agent.next().get("type").asText(), bad);
            }
            agent.send("{\"type\":\"MSG\",\"to\":\"#general\",\"content\":\"x\"}");
            agent.awaitError("NOT_INVITED", "Not a member of #general");
            agent.send("{\"type\":\"JOIN\",\"channel\":\"#nosuch\"}");
            agent.awaitError("CHANNEL_NOT_FOUND", "Channel #nosuch not found");
            agent.send("{\"type\":\"MSG\",\"to\":\"@nobody00\",\"content\":\"x\"}");
            agent.awaitError("AGENT_NOT_FOUND", "Agent @nobody00 not found");
            agent.send("{\"type\":\"MSG\",\"to\":\"#general\",\"content\":\"" + "x".repeat(4097) + "\"}");
            agent.awaitError("INVALID_MSG", "Content too long (max 4096 chars)");
            agent.send("{\"type\":\"JOIN\",\"channel\":\"#general\"}");
            assertEquals("JOINED", agent.await("JOINED").get("type").asText());
            assertTrue(agent.isOpen());
        }
    }

    @Test
    void joinSequenceMatchesTheReference() throws Exception {
        try (TestAgent alice = joined("alice", "#agents"); TestAgent bob = ephemeral("bob")) {
            bob.send("{\"type\":\"JOIN\",\"channel\":\"#agents\"}");
            JsonNode joined = bob.next();
            assertEquals("JOINED", joined.get("type").asText());
            assertEquals(List.of(alice.id, bob.id), List.of(joined.get("agents").get(0).asText(), joined.get("agents").get(1).asText()));
            JsonNode welcome = bob.next();
            assertEquals("@server", welcome.get("from").asText());
            assertEquals("Welcome to #agents, " + bob.id
                    + "! Say hello to introduce yourself and start collaborating with other agents.", welcome.get("content").asText());

            JsonNode agentJoined = alice.next();
            assertEquals("AGENT_JOINED", agentJoined.get("type").asText());
            assertEquals(bob.id, agentJoined.get("agent").asText());
            JsonNode hey = alice.next();
            assertEquals("Hey " + alice.id + " - new agent " + bob.id
                    + " just joined! Say hi and share what you're working on.", hey.get("content").asText());

            bob.send("{\"type\":\"JOIN\",\"channel\":\"#agents\"}");
            assertEquals("JOINED", bob.next().get("type").asText());
            assertTrue(alice.drainUntilPong().isEmpty(), "a repeated JOIN is not announced again");
        }
    }

    @Test
    void channelMessagesFanOutToMembersOnlyWithTheSameBytes() throws Exception {
        try (TestAgent alice = joined("alice", "#general"); TestAgent bob = joined("bob", "#general");
             TestAgent outsider = ephemeral("carol")) {
            alice.drainUntilPong();
            alice.send("{\"type\":\"MSG\",\"to\":\"#general\",\"content\":\"hello \\u00e9\",\"ts\":1,\"extra\":true}");
            String toAlice = alice.nextRaw();
            String toBob = bob.nextRaw();
            assertEquals(toAlice, toBob);
            assertTrue(toAlice.matches("\\{\"type\":\"MSG\",\"ts\":\\d+,\"from\":\"" + alice.id
                    + "\",\"to\":\"#general\",\"content\":\"hello é\",\"seq\":1,\"epoch\":\"[0-9a-f]{12}\"}"), toAlice);
            assertTrue(outsider.drainUntilPong().isEmpty());
        }
    }

    @Test
    void directMessagesGoToTheTargetAndBackToTheSender() throws Exception {
        try (TestAgent alice = ephemeral("alice"); TestAgent bob = ephemeral("bob")) {
            alice.send("{\"type\":\"MSG\",\"to\":\"" + bob.id + "\",\"content\":\"psst\"}");
            JsonNode atBob = bob.next();
            assertEquals("psst", atBob.get("content").asText());
            assertEquals(alice.id, atBob.get("from").asText());
            assertEquals(atBob, alice.next());
            alice.send("{\"type\":\"MSG\",\"to\":\"@server\",\"content\":\"x\"}");
            alice.awaitError("AGENT_NOT_FOUND", "Agent @server not found");
        }
    }

    @Test
    void joinersGetTheLastMessagesAsReplayOldestFirst() throws Exception {
        try (TestAgent alice = joined("alice", "#general")) {
            for (int i = 0; i < 5; i++) {
                alice.send("{\"type\":\"MSG\",\"to\":\"#general\",\"content\":\"m" + i + "\"}");
                alice.await("MSG", m -> m.get("from").asText().equals(alice.id));
            }
            try (TestAgent bob = ephemeral("bob")) {
                bob.send("{\"type\":\"JOIN\",\"channel\":\"#general\"}");
                assertEquals("JOINED", bob.next().get("type").asText());
                for (int i = 2; i < 5; i++) {
                    String raw = bob.nextRaw();
                    assertTrue(raw.matches(".*,\"content\":\"m" + i + "\",\"seq\":" + (i + 1)
                            + ",\"epoch\":\"[0-9a-f]{12}\",\"replay\":true}"), raw);
                }
                assertEquals("@server", bob.next().get("from").asText());
            }
        }
    }

    @Test
    void leaveIsIdempotentAndAnnouncedOnce() throws Exception {
        try (TestAgent alice = joined("alice", "#general"); TestAgent bob = joined("bob", "#general")) {
            alice.drainUntilPong();
            bob.send("{\"type\":\"LEAVE\",\"channel\":\"#general\"}");
            JsonNode left = bob.next();
            assertEquals("{\"type\":\"LEFT\",\"ts\":" + left.get("ts") + ",\"channel\":\"#general\"}", left.toString());
            assertEquals(bob.id, alice.await("AGENT_LEFT").get("agent").asText());
            bob.send("{\"type\":\"LEAVE\",\"channel\":\"#general\"}");
            assertEquals("LEFT", bob.next().get("type").asText());
            assertTrue(alice.drainUntilPong().isEmpty());
            bob.send("{\"type\":\"LEAVE\",\"channel\":\"#nosuch\"}");
            assertTrue(bob.drainUntilPong().isEmpty());
        }
    }

    @Test
    void disconnectTellsTheChannel() throws Exception {
        try (TestAgent alice = joined("alice", "#general")) {
            TestAgent bob = joined("bob", "#general");
            alice.drainUntilPong();
            bob.close();
            assertEquals(bob.id, alice.await("AGENT_LEFT").get("agent").asText());
        }
    }

    @Test
    void privateChannelsAdmitOnlyInvitedAgentsAndHideTheirMembers() throws Exception {
        try (TestAgent owner = ephemeral("owner"); TestAgent guest = ephemeral("guest"); TestAgent other = ephemeral("other")) {
            owner.send("{\"type\":\"CREATE_CHANNEL\",\"channel\":\"#secret\",\"invite_only\":true}");
            JsonNode joined = owner.next();
            assertEquals("JOINED", joined.get("type").asText());
            assertEquals(owner.id, joined.get("agents").get(0).asText());
            owner.send("{\"type\":\"CREATE_CHANNEL\",\"channel\":\"#secret\"}");
            owner.awaitError("CHANNEL_EXISTS", "Channel #secret already exists");

            guest.send("{\"type\":\"JOIN\",\"channel\":\"#secret\"}");
            guest.awaitError("NOT_INVITED", "Channel #secret is invite-only");
            other.send("{\"type\":\"LIST_AGENTS\",\"channel\":\"#secret\"}");
            other.awaitError("NOT_INVITED", "Channel #secret is invite-only");
            other.send("{\"type\":\"LIST_CHANNELS\"}");
            assertFalse(other.await("CHANNELS").toString().contains("#secret"));
            other.send("{\"type\":\"INVITE\",\"channel\":\"#secret\",\"agent\":\"" + other.id + "\"}");
            other.awaitError("NOT_INVITED", "Not a member of #secret");

            owner.send("{\"type\":\"MSG\",\"to\":\"#secret\",\"content\":\"before invite\"}");
            owner.await("MSG");
            owner.send("{\"type\":\"INVITE\",\"channel\":\"#secret\",\"agent\":\"" + guest.id + "\"}");
            assertEquals("You have been invited to #secret", guest.await("MSG").get("content").asText());
            assertTrue(owner.drainUntilPong().isEmpty(), "no reply to the inviter");
            guest.send("{\"type\":\"JOIN\",\"channel\":\"#secret\"}");
            guest.await("JOINED");
            assertEquals("before invite", guest.await("MSG", m -> m.path("replay").asBoolean()).get("content").asText());
            guest.send("{\"type\":\"LIST_AGENTS\",\"channel\":\"#secret\"}");
            assertEquals(2, guest.await("AGENTS").get("list").size());
        }
    }

    @Test
    void listAgentsShowsPresence() throws Exception {
        try (TestAgent alice = joined("alice", "#general")) {
            alice.send("{\"type\":\"SET_PRESENCE\",\"status\":\"busy\",\"status_text\":\"coding\"}");
            JsonNode changed = alice.await("PRESENCE_CHANGED");
            assertEquals("busy", changed.get("presence").asText());
            alice.send("{\"type\":\"LIST_AGENTS\",\"channel\":\"#general\"}");
            JsonNode entry = alice.await("AGENTS").get("list").get(0);
            assertEquals("{\"id\":\"" + alice.id + "\",\"name\":\"alice\",\"presence\":\"busy\",\"status_text\":\"coding\"}",
                    entry.toString());
        }
    }

    @Test
    void quietChannelsGetAConversationStarterThatIsReplayed() throws Exception {
        server.close();
        client.stop();
        start(config().idlePrompt(java.time.Duration.ofMillis(300)).build());
        try (TestAgent alice = joined("alice", "#agents"); TestAgent bob = joined("bob", "#agents")) {
            JsonNode prompt = alice.await("MSG", m -> m.get("from").asText().equals("@server")
                    && m.get("content").asText().startsWith(alice.id + ", " + bob.id + " - "));
            assertEquals("#agents", prompt.get("to").asText());
            try (TestAgent carol = ephemeral("carol")) {
                carol.send("{\"type\":\"JOIN\",\"channel\":\"#agents\"}");
                JsonNode replayed = carol.await("MSG", m -> m.path("replay").asBoolean());
                assertEquals(prompt.get("content"), replayed.get("content"));
            }
        }
    }

    @Test
    void binaryFramesAreReadAsText() throws Exception {
        try (TestAgent agent = TestAgent.connect(client, uri)) {
            agent.getSession().sendBinary(java.nio.ByteBuffer.wrap("{\"type\":\"PING\"}".getBytes()),
                    org.eclipse.jetty.websocket.api.Callback.NOOP);
            assertEquals("PONG", agent.next().get("type").asText());
        }
    }

    @Test
    void fragmentedMessagesAreReassembled() throws Exception {
        try (TestAgent agent = TestAgent.connect(client, uri)) {
            agent.getSession().sendPartialText("{\"type\":", false, org.eclipse.jetty.websocket.api.Callback.NOOP);
            agent.getSession().sendPartialText("\"PING\"}", true, org.eclipse.jetty.websocket.api.Callback.NOOP);
            assertEquals("PONG", agent.next().get("type").asText());
        }
    }

    @Test
    void webSocketPingsAreAnsweredWithTheirPayload() throws Exception {
        try (TestAgent agent = TestAgent.connect(client, uri)) {
            agent.getSession().sendPing(java.nio.ByteBuffer.wrap("hi".getBytes(java.nio.charset.StandardCharsets.UTF_8)),
                    org.eclipse.jetty.websocket.api.Callback.NOOP);
            assertEquals("hi", agent.awaitPong());
        }
    }

    @Test
    void anyPathUpgrades() throws Exception {
        try (TestAgent agent = TestAgent.connect(client, uri.resolve("/foo/bar?x=1"))) {
            agent.send("{\"type\":\"PING\"}");
            assertEquals("PONG", agent.next().get("type").asText());
        }
    }

    @Test
    void marketplaceFramesReachTheMarketplace() throws Exception {
        try (TestAgent agent = ephemeral("alice")) {
            agent.send("{\"type\":\"SEARCH_SKILLS\",\"query\":{}}");
            assertEquals("SEARCH_RESULTS", agent.next().get("type").asText());
            agent.send("{\"type\":\"PING\"}");
            assertEquals("PONG", agent.next().get("type").asText());
        }
    }
}
