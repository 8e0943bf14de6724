package io.agentchat.client;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import io.agentchat.identity.Identity;
import io.agentchat.protocol.ErrorCode;
import io.agentchat.protocol.ServerFrame;
import io.agentchat.server.RedisProcess;
import io.agentchat.server.ServerConfig;
import io.agentchat.server.TestRelay;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The client matches replies to requests by order only (the protocol has no request ids). On a relay
 * in cluster mode some answers come back through Redis: a channel MSG's echo, a DM's echo to an agent
 * on the other relay, the answer to a marketplace frame forwarded to the proposal's home relay. A
 * request pipelined right behind such a frame must still get its own answer, and the frame its own:
 * a delivered message must not be reported refused by the next request's ERROR, and that request
 * must not time out. Two relays of one cluster over a real redis-server; real WebSocket clients.
 */
@Timeout(value = 180, unit = TimeUnit.SECONDS)
class ClusterReplyOrderTest {
    /** Short, so that a request whose answer was taken by another fails in seconds; answers take milliseconds. */
    private static final Duration REQUEST_TIMEOUT = Duration.ofSeconds(5);
    private static final Duration WAIT = Duration.ofSeconds(10);
    /** Rounds per case: the overtaking is a race (seen first at round 1 to 8), so one round alone could pass by luck. */
    private static final int ROUNDS = 40;
    private static final String PRIVATE = "#private-room";

    private RedisProcess redis;
    private TestRelay relayA;
    private TestRelay relayB;
    private AgentChatClient client;
    /** Owns PRIVATE, which nobody else is invited to: every JOIN of it draws NOT_INVITED. */
    private Connection owner;

    @BeforeEach
    void startCluster() throws Exception {
        redis = RedisProcess.start();
        relayA = TestRelay.start(relayConfig("relay-a"));
        relayB = TestRelay.start(relayConfig("relay-b"));
        client = new AgentChatClient(ClientOptions.defaults().withTimeouts(REQUEST_TIMEOUT));
        owner = client.connect(relayA.uri(), "owner", null);
        owner.createChannel(PRIVATE, true);
    }

    /** No frame budget: the rounds send a few hundred frames in a second, and a RATE_LIMITED would be just another ERROR. */
    private ServerConfig relayConfig(String name) {
        return TestRelay.defaults().name(name).cluster(redis.uri()).noRateLimits().build();
    }

    /**
     * A request the relay refuses with NOT_INVITED, sent at once: in even rounds a JOIN of PRIVATE
     * (its invite list is looked up in Redis), in odd rounds a LIST_AGENTS of it (refused by the relay
     * at once, from its own copy of the channel), so both a slower and a quicker refusal race the answer ahead.
     */
    private static Refusal refusedRequest(Connection connection, int round) {
        return round % 2 == 0 ? new Refusal("JOIN " + PRIVATE, connection.joinAsync(PRIVATE))
                : new Refusal("LIST_AGENTS " + PRIVATE, connection.listAgentsAsync(PRIVATE));
    }

    private record Refusal(String what, CompletableFuture<?> future) {
    }

    @AfterEach
    void stopCluster() throws Exception {
        if (client != null) {
            client.close();
        }
        if (relayA != null) {
            relayA.close();
        }
        if (relayB != null) {
            relayB.close();
        }
        if (redis != null) {
            redis.close();
        }
    }

    @Test
    void aChannelMessageGetsItsEchoAndTheRefusedRequestBehindItItsOwnError() throws Exception {
        RecordingListener bobInbox = new RecordingListener();
        Connection alice = client.connect(relayA.uri(), "alice", null);
        Connection bob = client.connect(relayB.uri(), "bob", null, bobInbox);
        alice.join("#general");
        bob.join("#general");
        List<String> sent = new ArrayList<>();
        for (int round = 0; round < ROUNDS; round++) {
            String content = "channel-" + round;
            CompletableFuture<ServerFrame.Msg> send = alice.sendAsync("#general", content);
            Refusal refused = refusedRequest(alice, round); // pipelined: the MSG's echo is not awaited first
            assertEcho("round " + round + ": MSG to #general", send, alice.agentId(), "#general", content);
            assertRefused("round " + round + ": " + refused.what(), refused.future(), ErrorCode.NOT_INVITED);
            sent.add(content);
        }
        assertReceived(bobInbox, sent);
    }

    @Test
    void severalPipelinedChannelMessagesEachGetTheirOwnEchoAndTheRefusedRequestItsError() throws Exception {
        RecordingListener bobInbox = new RecordingListener();
        Connection alice = client.connect(relayA.uri(), "alice", null);
        Connection bob = client.connect(relayB.uri(), "bob", null, bobInbox);
        alice.join("#general");
        bob.join("#general");
        List<String> sent = new ArrayList<>();
        for (int round = 0; round < ROUNDS / 2; round++) {
            List<CompletableFuture<ServerFrame.Msg>> sends = new ArrayList<>();
            List<String> contents = new ArrayList<>();
            for (int i = 0; i < 5; i++) {
                contents.add("burst-" + round + "-" + i);
                sends.add(alice.sendAsync("#general", contents.get(i)));
            }
            Refusal refused = refusedRequest(alice, round);
            for (int i = 0; i < 5; i++) {
                assertEcho("round " + round + ": MSG " + (i + 1) + " of 5 to #general", sends.get(i), alice.agentId(),
                        "#general", contents.get(i));
            }
            assertRefused("round " + round + ": " + refused.what() + " after 5 MSGs", refused.future(),
                    ErrorCode.NOT_INVITED);
            sent.addAll(contents);
        }
        assertReceived(bobInbox, sent);
    }

    @Test
    void aDirectMessageToTheOtherRelayGetsItsEchoAndTheRefusedRequestBehindItItsOwnError() throws Exception {
        RecordingListener bobInbox = new RecordingListener();
        Connection alice = client.connect(relayA.uri(), "alice", null);
        Connection bob = client.connect(relayB.uri(), "bob", null, bobInbox);
        List<String> sent = new ArrayList<>();
        for (int round = 0; round < ROUNDS; round++) {
            String content = "dm-" + round;
            CompletableFuture<ServerFrame.Msg> send = alice.sendAsync(bob.agentId(), content);
            Refusal refused = refusedRequest(alice, round);
            assertEcho("round " + round + ": DM to " + bob.agentId() + " on relay B", send, alice.agentId(),
                    bob.agentId(), content);
            assertRefused("round " + round + ": " + refused.what(), refused.future(), ErrorCode.NOT_INVITED);
            sent.add(content);
        }
        assertReceived(bobInbox, sent);
    }

    /**
     * Not only an ERROR overtakes the late echo: a PONG does too, and the client, which offers a frame
     * only to its oldest request, drops it (it is not the MSG's echo), so the PING times out.
     */
    @Test
    void aMessageWhoseEchoComesThroughRedisDoesNotLoseThePongOfThePingBehindIt() throws Exception {
        RecordingListener bobInbox = new RecordingListener();
        Connection alice = client.connect(relayA.uri(), "alice", null);
        Connection bob = client.connect(relayB.uri(), "bob", null, bobInbox);
        alice.join("#general");
        bob.join("#general");
        List<String> sent = new ArrayList<>();
        for (int round = 0; round < ROUNDS; round++) {
            String to = round % 2 == 0 ? "#general" : bob.agentId(); // a channel MSG, or a DM to relay B
            String content = "then-ping-" + round;
            CompletableFuture<ServerFrame.Msg> send = alice.sendAsync(to, content);
            CompletableFuture<Duration> ping = alice.pingAsync();
            assertEcho("round " + round + ": MSG to " + to, send, alice.agentId(), to, content);
            answer("round " + round + ": PING after a MSG to " + to, ping);
            sent.add(content);
        }
        assertReceived(bobInbox, sent);
    }

    /**
     * A proposal lives on the relay where it was made (A); bob's ACCEPT, REJECT, COMPLETE and DISPUTE
     * on relay B are forwarded there through Redis and answered back. Proposals need proven keys:
     * connecting with an identity answers the relay's challenge in the handshake.
     */
    @Test
    void aMarketFrameForwardedToTheProposalsRelayGetsItsAnswerAndTheRefusedRequestBehindItItsOwnError()
            throws Exception {
        Connection aliceConnection = client.connect(relayA.uri(), null, Identity.generate("alice", Clock.systemUTC()));
        Connection bobConnection = client.connect(relayB.uri(), null, Identity.generate("bob", Clock.systemUTC()));
        MarketClient alice = new MarketClient(aliceConnection);
        MarketClient bob = new MarketClient(bobConnection);
        int refusals = 0;
        for (int round = 0; round < ROUNDS / 2; round++) {
            String task = "task " + round;
            // Bob acts once he has heard of the proposal, as a party does: by then Redis names its home.
            CompletableFuture<String> heard = bobConnection.expect(
                    f -> f instanceof ServerFrame.Proposal p && task.equals(p.task()) ? p.id() : null);
            String id = alice.propose(new MarketClient.Terms(bobConnection.agentId(), task, 1.0, "TEST",
                    null, null, 300.0, null)).id();
            assertEquals(id, heard.get(WAIT.toMillis(), TimeUnit.MILLISECONDS));
            String label = "round " + round + " (" + id + "): ";
            if (round % 3 == 0) {
                CompletableFuture<ServerFrame.Reject> reject = bob.rejectAsync(id, "busy");
                Refusal refused = refusedRequest(bobConnection, refusals++);
                assertEquals("rejected", answer(label + "REJECT forwarded to relay A", reject).status());
                assertRefused(label + refused.what() + " after REJECT", refused.future(), ErrorCode.NOT_INVITED);
                continue;
            }
            CompletableFuture<ServerFrame.Accept> accept = bob.acceptAsync(id, null, null);
            Refusal refused = refusedRequest(bobConnection, refusals++);
            assertEquals("accepted", answer(label + "ACCEPT forwarded to relay A", accept).status());
            assertRefused(label + refused.what() + " after ACCEPT", refused.future(), ErrorCode.NOT_INVITED);
            if (round % 3 == 1) {
                CompletableFuture<ServerFrame.Complete> complete = bob.completeAsync(id, "tx:" + round);
                refused = refusedRequest(bobConnection, refusals++);
                assertEquals("completed", answer(label + "COMPLETE forwarded to relay A", complete).status());
                assertRefused(label + refused.what() + " after COMPLETE", refused.future(), ErrorCode.NOT_INVITED);
            } else {
                CompletableFuture<ServerFrame.Dispute> dispute = bob.disputeAsync(id, "late");
                refused = refusedRequest(bobConnection, refusals++);
                assertEquals("disputed", answer(label + "DISPUTE forwarded to relay A", dispute).status());
                assertRefused(label + refused.what() + " after DISPUTE", refused.future(), ErrorCode.NOT_INVITED);
            }
        }
    }

    private static void assertEcho(String what, CompletableFuture<ServerFrame.Msg> send, String from, String to,
                                   String content) throws InterruptedException {
        ServerFrame.Msg echo = answer(what, send);
        assertEquals(from, echo.from(), what);
        assertEquals(to, echo.to(), what);
        assertEquals(content, echo.content(), what);
    }

    /** The request's own answer; a failure (an ERROR taken for it, a timeout) fails the test, saying which. */
    private static <T> T answer(String what, CompletableFuture<T> request) throws InterruptedException {
        try {
            return request.get(REQUEST_TIMEOUT.plus(WAIT).toMillis(), TimeUnit.MILLISECONDS);
        } catch (ExecutionException e) {
            return fail(what + ": expected its answer, but it failed with " + describe(e.getCause()));
        } catch (TimeoutException e) {
            return fail(what + ": never completed");
        }
    }

    /** The request fails with the server's ERROR {@code code}, not a timeout, not another request's answer. */
    private static void assertRefused(String what, CompletableFuture<?> request, ErrorCode code)
            throws InterruptedException {
        Object answer;
        try {
            answer = request.get(REQUEST_TIMEOUT.plus(WAIT).toMillis(), TimeUnit.MILLISECONDS);
        } catch (ExecutionException e) {
            Throwable cause = e.getCause();
            assertTrue(cause instanceof ServerErrorException se && se.code() == code,
                    what + ": expected ERROR " + code + ", but it failed with " + describe(cause));
            return;
        } catch (TimeoutException e) {
            fail(what + ": never completed");
            return;
        }
        fail(what + ": expected ERROR " + code + ", but it succeeded with " + answer);
    }

    private static String describe(Throwable failure) {
        if (failure instanceof ServerErrorException se) {
            return "ServerErrorException " + se.wireCode() + " (" + se.getMessage() + ")";
        }
        if (failure instanceof ClientException ce) {
            return "ClientException " + ce.reason() + " (" + ce.getMessage() + ")";
        }
        return String.valueOf(failure);
    }

    /** Every message really went out: the member on the other relay got each one. */
    private static void assertReceived(RecordingListener inbox, List<String> contents) {
        await("every message reached the member on relay B").atMost(WAIT).pollInterval(Duration.ofMillis(20))
                .until(() -> inbox.messages().stream().map(ServerFrame.Msg::content).toList().containsAll(contents));
    }
}
