package io.agentchat.client;

import io.agentchat.identity.SignedText;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.agentchat.identity.Identity;
import io.agentchat.protocol.ErrorCode;
import io.agentchat.protocol.ServerFrame;
import io.agentchat.server.AgentChatServer;
import io.agentchat.server.ServerConfig;
import java.net.ServerSocket;
import java.net.URI;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The client against a real relay on an ephemeral loopback port. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class ConnectionTest {
    private static final Duration WAIT = Duration.ofSeconds(5);

    private AgentChatServer server;
    private AgentChatClient client;
    private URI uri;

    @BeforeEach
    void start() throws Exception {
        server = new AgentChatServer(ServerConfig.builder().host("127.0.0.1").port(0)
                .rateLimit(Duration.ZERO).dataDir(null).build()).start();
        uri = server.uri();
        client = new AgentChatClient(ClientOptions.defaults().withTimeouts(Duration.ofSeconds(5)));
    }

    @AfterEach
    void stop() {
        client.close();
        server.close();
    }

    @Test
    void connectIdentifiesAndReturnsTheWelcomedId() {
        try (Connection c = client.connect(uri, "alice", null)) {
            assertTrue(c.agentId().matches("@[a-z0-9]{8}"), c.agentId());
            assertEquals("alice", c.name());
            assertEquals("agentchat", c.serverName());
            assertTrue(c.isOpen());
        }
    }

    @Test
    void marketRequestsHaveAsyncFormsThatCompleteWithTheReplyOrTheServersError() throws Exception {
        Identity identity = Identity.generate("trader", Clock.systemUTC());
        try (Connection c = client.connect(uri, "trader", identity)) {
            MarketClient market = new MarketClient(c);
            ServerFrame.SearchResults results = market.searchSkillsAsync(
                    com.fasterxml.jackson.databind.node.JsonNodeFactory.instance.objectNode())
                    .get(WAIT.toSeconds(), TimeUnit.SECONDS);
            assertEquals(0, results.total());
            java.util.concurrent.ExecutionException failed = assertThrows(java.util.concurrent.ExecutionException.class,
                    () -> market.proposeAsync(new MarketClient.Terms("@deadbeef", "t", null, null, null, null, null, null))
                            .get(WAIT.toSeconds(), TimeUnit.SECONDS));
            assertEquals(ErrorCode.AGENT_NOT_FOUND, ((ServerErrorException) failed.getCause()).code());
            assertNotNull(c.ping(), "the connection stays usable");
        }
    }

    /**
     * The server routes a key's id to a connection only once it has the answer to its challenge:
     * connect returns after that, so a DM sent the moment it returns always arrives.
     */
    @Test
    void aKeyBasedConnectionIsReachableAsItsIdOnceConnectReturns() {
        try (Connection sender = client.connect(uri, "sender", null)) {
            for (int i = 0; i < 20; i++) {
                Identity identity = Identity.generate("reachable" + i, Clock.systemUTC());
                try (Connection target = client.connect(uri, "reachable" + i, identity)) {
                    assertEquals(target.agentId(), sender.send(target.agentId(), "hello " + i).to());
                }
            }
        }
    }

    @Test
    void joinReturnsJoinedAndAnUnknownChannelIsTheServersErrorWhileTheConnectionStaysUsable() {
        try (Connection c = client.connect(uri, "alice", null)) {
            ServerFrame.Joined joined = c.join("#general");
            assertEquals("#general", joined.channel());
            assertTrue(joined.agents().contains(c.agentId()));

            ServerErrorException e = assertThrows(ServerErrorException.class, () -> c.join("#nosuch"));
            assertEquals(ErrorCode.CHANNEL_NOT_FOUND, e.code());
            assertEquals("Channel #nosuch not found", e.getMessage());
            assertNotNull(c.ping());
        }
    }

    @Test
    void listenerRegisteredAtConnectSeesTheWholeReplayBurstOfAJoin() {
        try (Connection writer = client.connect(uri, "writer", null)) {
            writer.join("#general");
            for (int i = 1; i <= 4; i++) {
                writer.send("#general", "history " + i);
            }
        }
        RecordingListener listener = new RecordingListener();
        try (Connection reader = client.connect(uri, "reader", null, listener)) {
            reader.join("#general");
            await().atMost(WAIT).until(() -> listener.messages().stream()
                    .anyMatch(m -> m.from().equals("@server") && m.content().startsWith("Welcome")));
            List<String> replayed = listener.messages().stream().filter(ServerFrame.Msg::isReplay)
                    .map(ServerFrame.Msg::content).toList();
            assertEquals(List.of("history 1", "history 2", "history 3", "history 4"), replayed);
            assertTrue(listener.frames.get(0) instanceof ServerFrame.Welcome, "WELCOME is delivered too");
        }
    }

    @Test
    void sendReturnsTheServersEchoAndFailsOnEveryRefusal() {
        try (Connection c = client.connect(uri, "alice", null)) {
            c.join("#general");
            ServerFrame.Msg echo = c.send("#general", "hello");
            assertEquals(c.agentId(), echo.from());
            assertEquals("hello", echo.content());

            assertEquals(ErrorCode.AGENT_NOT_FOUND,
                    assertThrows(ServerErrorException.class, () -> c.send("@nobody", "hi")).code());
            assertEquals(ErrorCode.INVALID_MSG,
                    assertThrows(ServerErrorException.class, () -> c.send("general", "hi")).code());
            assertEquals(ErrorCode.INVALID_MSG,
                    assertThrows(ServerErrorException.class, () -> c.send("#general", "x".repeat(4097))).code());
            assertEquals(ErrorCode.NOT_INVITED,
                    assertThrows(ServerErrorException.class, () -> c.send("#agents", "not a member")).code());
            assertEquals("", c.send("#general", "").content(), "the empty message is legal");
        }
    }

    @Test
    void directMessagesAreConfirmedByTheSendersCopy() {
        RecordingListener bobFrames = new RecordingListener();
        try (Connection alice = client.connect(uri, "alice", null);
             Connection bob = client.connect(uri, "bob", null, bobFrames)) {
            ServerFrame.Msg echo = alice.send(bob.agentId(), "psst");
            assertEquals(bob.agentId(), echo.to());
            await().atMost(WAIT).until(() -> bobFrames.messages().stream().anyMatch(m -> m.content().equals("psst")));
        }
    }

    @Test
    void listRequestsAnswerOrFailInsteadOfHanging() {
        try (Connection c = client.connect(uri, "alice", null)) {
            c.join("#agents");
            List<ServerFrame.ChannelInfo> channels = c.listChannels();
            assertEquals(List.of("#general", "#agents", "#discovery", "#skills"),
                    channels.stream().map(ServerFrame.ChannelInfo::name).toList());
            List<ServerFrame.AgentInfo> agents = c.listAgents("#agents");
            assertEquals(1, agents.size());
            assertEquals(c.agentId(), agents.get(0).id());
            assertEquals("alice", agents.get(0).name());
            assertEquals("online", agents.get(0).presence());

            assertEquals(ErrorCode.CHANNEL_NOT_FOUND,
                    assertThrows(ServerErrorException.class, () -> c.listAgents("#nosuch")).code());
            assertEquals(ErrorCode.INVALID_MSG,
                    assertThrows(ServerErrorException.class, () -> c.listAgents("general")).code());
        }
    }

    @Test
    void privateChannelsInviteAndLeave() {
        Identity owner = Identity.generate("owner", Clock.systemUTC());
        try (Connection alice = client.connect(uri, "alice", owner);
             Connection bob = client.connect(uri, "bob", null)) {
            alice.createChannel("#secret", true);
            assertEquals(ErrorCode.CHANNEL_EXISTS,
                    assertThrows(ServerErrorException.class, () -> alice.createChannel("#secret", false)).code());
            assertEquals(ErrorCode.NOT_INVITED,
                    assertThrows(ServerErrorException.class, () -> bob.join("#secret")).code());
            assertEquals(ErrorCode.NOT_INVITED,
                    assertThrows(ServerErrorException.class, () -> bob.invite("#secret", bob.agentId())).code(),
                    "an invite from a non-member is refused, and the refusal is reported");
            alice.invite("#secret", bob.agentId());
            assertEquals("#secret", bob.join("#secret").channel());
            bob.leave("#secret");
            bob.leave("#secret");
            assertFalse(alice.listAgents("#secret").stream().anyMatch(a -> a.id().equals(bob.agentId())));
        }
    }

    @Test
    void anIdentityGetsItsKeyBasedIdAfterProvingItAndSignsMessages() {
        Identity identity = Identity.generate("keyed", Clock.systemUTC());
        RecordingListener listener = new RecordingListener();
        try (Connection c = client.connect(uri, "ignored", identity, listener)) {
            assertEquals("@" + identity.agentId(), c.agentId());
            assertEquals("keyed", c.name(), "the identity's name wins over the given one");
            await("the server's identity challenge was answered and accepted").atMost(WAIT)
                    .until(() -> listener.frames.stream().anyMatch(f -> f instanceof ServerFrame.VerifySuccess));

            c.join("#general");
            ServerFrame.Msg echo = c.send("#general", "signed \"hello\"\n");
            assertNotNull(echo.sig());
            assertNotNull(echo.clientTs());
            assertTrue(identity.verify(SignedText.msg("#general", "signed \"hello\"\n", echo.clientTs()),
                    echo.sig()));
            assertTrue(echo.signedBy(identity.pubkey()), "a receiver can check the relayed message");
            assertFalse(new ServerFrame.Msg(echo.ts(), echo.from(), echo.to(), "altered", echo.sig(),
                    echo.clientTs(), null, null, null, null).signedBy(identity.pubkey()));
            assertFalse(echo.signedBy(Identity.generate("other", Clock.systemUTC()).pubkey()));
            assertFalse(ServerFrame.Msg.of(echo.ts(), echo.from(), echo.to(), echo.content())
                    .signedBy(identity.pubkey()), "an unsigned message is not signed by anyone");
        }
    }

    @Test
    void aReceivedProposalCarriesWhatTheProposerSignedSoTheRecipientCanCheckIt() {
        Identity aliceKey = Identity.generate("alice", Clock.systemUTC());
        Identity bobKey = Identity.generate("bob", Clock.systemUTC());
        RecordingListener bobFrames = new RecordingListener();
        try (Connection alice = client.connect(uri, "alice", aliceKey);
             Connection bob = client.connect(uri, "bob", bobKey, bobFrames)) {
            ServerFrame.Proposal echo = new MarketClient(alice).propose(new MarketClient.Terms(bob.agentId(),
                    "Review PR #42", 2.0, "USDC", "alice-pay", null, 300.0, null));
            assertEquals(300.0, echo.clientExpires());
            await("bob received the proposal").atMost(WAIT).until(() -> bobFrames.frames.stream()
                    .anyMatch(f -> f instanceof ServerFrame.Proposal p && p.id().equals(echo.id())));
            ServerFrame.Proposal received = bobFrames.frames.stream().filter(ServerFrame.Proposal.class::isInstance)
                    .map(ServerFrame.Proposal.class::cast).filter(p -> p.id().equals(echo.id())).findFirst().orElseThrow();
            assertEquals(echo, received);
            assertTrue(received.signedBy(aliceKey.pubkey()));
            assertFalse(received.signedBy(bobKey.pubkey()));
        }
    }

    @Test
    void anInvalidNameIsRefusedAtIdentify() {
        ServerErrorException e = assertThrows(ServerErrorException.class, () -> client.connect(uri, "bad name", null));
        assertEquals("Invalid agent name", e.getMessage());
    }

    @Test
    void aRefusedConnectionIsReportedAsSuch() throws Exception {
        int port;
        try (ServerSocket socket = new ServerSocket(0)) {
            port = socket.getLocalPort();
        }
        ClientException e = assertThrows(ClientException.class,
                () -> client.connect(URI.create("ws://127.0.0.1:" + port + "/"), "alice", null));
        assertEquals(ClientException.Reason.CONNECTION_REFUSED, e.reason());
    }

    @Test
    void aServerThatGoesAwayFailsPendingWorkAndTellsTheListener() {
        RecordingListener listener = new RecordingListener();
        Connection c = client.connect(uri, "alice", null, listener);
        server.close();
        await().atMost(WAIT).until(() -> listener.closedCode.isDone());
        assertEquals(1001, listener.closedCode.join());
        ConnectionClosed status = c.closed().join();
        assertFalse(status.local());
        ClientException e = assertThrows(ClientException.class, c::ping);
        assertEquals(ClientException.Reason.CLOSED, e.reason());
        c.close();
    }
}
