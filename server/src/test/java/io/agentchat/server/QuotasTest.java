package io.agentchat.server;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.agentchat.identity.Identity;
import io.agentchat.identity.SignedText;
import java.net.InetSocketAddress;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.eclipse.jetty.client.HttpClient;
import org.eclipse.jetty.websocket.client.WebSocketClient;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Quotas that many cheap identities from one address must not escape: channel creation, JOIN and
 * LEAVE churn, and a recipient's proposal inbox. The attacker connects from 127.0.0.1; the agents
 * it must not harm connect from 127.0.0.2, a second address on the loopback interface.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class QuotasTest extends ServerHarness {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final long THIRTY_DAYS = 30L * 24 * 3600;
    private WebSocketClient otherAddress;

    /** A WebSocket client whose connections come from 127.0.0.2. */
    private WebSocketClient otherAddress() throws Exception {
        if (otherAddress == null) {
            HttpClient http = new HttpClient();
            http.setBindAddress(new InetSocketAddress("127.0.0.2", 0));
            otherAddress = new WebSocketClient(http);
            otherAddress.start();
        }
        return otherAddress;
    }

    @AfterEach
    void stopOtherAddress() throws Exception {
        if (otherAddress != null) {
            otherAddress.stop();
        }
    }

    /** Sends every frame, then counts the replies of each type up to a PING/PONG barrier. */
    private static Counts sendAll(TestAgent agent, List<String> frames) throws Exception {
        frames.forEach(agent::send);
        return new Counts(agent.drainUntilPong());
    }

    private record Counts(List<JsonNode> frames) {
        int of(String type) {
            return (int) frames.stream().filter(f -> type.equals(f.path("type").asText())).count();
        }

        int errors(String code) {
            return (int) frames.stream().filter(f -> "ERROR".equals(f.path("type").asText())
                    && code.equals(f.path("code").asText())).count();
        }
    }

    @Test
    void oneAddressCannotFillTheChannelNamespace() throws Exception {
        start(config().maxChannels(150).framesPerSecond(0).build());
        int created = 0;
        for (int i = 0; i < 10; i++) {
            try (TestAgent attacker = ephemeral("squatter" + i)) {
                List<String> creates = new ArrayList<>();
                for (int j = 0; j < 20; j++) {
                    creates.add("{\"type\":\"CREATE_CHANNEL\",\"channel\":\"#s" + i + "x" + j + "\"}");
                }
                Counts replies = sendAll(attacker, creates);
                created += replies.of("JOINED");
                assertEquals(20, replies.of("JOINED") + replies.errors("INVALID_MSG"), replies.frames().toString());
            }
        }
        assertEquals(100, created, "channels one address may hold, whatever the number of identities");
        try (TestAgent squatter = ephemeral("one-more")) {
            squatter.send("{\"type\":\"CREATE_CHANNEL\",\"channel\":\"#onemore\"}");
            squatter.awaitError("INVALID_MSG", "Channel limit reached (max 100 channels per address)");
        }
        try (TestAgent legit = TestAgent.ephemeral(otherAddress(), uri, "legit")) {
            legit.send("{\"type\":\"CREATE_CHANNEL\",\"channel\":\"#legit\"}");
            assertEquals("#legit", legit.await("JOINED").get("channel").asText());
        }
    }

    @Test
    void joinLeaveChurnIsLimitedPerAgentAndPerAddress() throws Exception {
        MutableClock clock = new MutableClock();
        start(config().clock(clock).framesPerSecond(0).build());
        try (TestAgent observer = TestAgent.ephemeral(otherAddress(), uri, "observer")) {
            observer.send("{\"type\":\"JOIN\",\"channel\":\"#general\"}");
            observer.await("JOINED");
            observer.drainUntilPong();
            List<String> churn = new ArrayList<>();
            for (int i = 0; i < 50; i++) {
                churn.add("{\"type\":\"JOIN\",\"channel\":\"#general\"}");
                churn.add("{\"type\":\"LEAVE\",\"channel\":\"#general\"}");
            }
            List<TestAgent> churners = new ArrayList<>();
            try {
                TestAgent first = ephemeral("churner0");
                churners.add(first);
                Counts firstReplies = sendAll(first, churn);
                // 30 changes per agent per minute: 15 JOINs and 15 LEAVEs pass; then every JOIN is
                // refused, and the LEAVE after it changes nothing, so it is answered and not counted.
                assertEquals(35, firstReplies.errors("RATE_LIMITED"));
                assertEquals(65, firstReplies.of("LEFT") + firstReplies.of("JOINED"));
                assertEquals(30, announcements(observer));

                int refused = 0;
                for (int i = 1; i <= 4; i++) {
                    TestAgent next = ephemeral("churner" + i);
                    churners.add(next);
                    refused += sendAll(next, churn).errors("RATE_LIMITED");
                }
                // 120 changes per address per minute, 30 used: three more agents get 30 each, the last none.
                assertEquals(3 * 35 + 50, refused);
                assertEquals(90, announcements(observer));

                // A LEAVE or re-JOIN that changes nothing costs nothing and is still answered.
                Counts noops = sendAll(first, List.of("{\"type\":\"LEAVE\",\"channel\":\"#general\"}"));
                assertEquals(1, noops.of("LEFT"), noops.frames().toString());
                List<String> rejoins = new ArrayList<>();
                for (int i = 0; i < 40; i++) {
                    rejoins.add("{\"type\":\"JOIN\",\"channel\":\"#general\"}");
                }
                Counts rejoined = sendAll(observer, rejoins);
                assertEquals(40, rejoined.of("JOINED"), rejoined.frames().toString());

                first.send("{\"type\":\"JOIN\",\"channel\":\"#general\"}");
                first.awaitError("RATE_LIMITED", "Rate limit exceeded (too many joins and leaves)");
                clock.advance(Duration.ofMinutes(1));
                first.send("{\"type\":\"JOIN\",\"channel\":\"#general\"}");
                first.await("JOINED");
            } finally {
                churners.forEach(TestAgent::close);
            }
        }
    }

    @Test
    void anAgentOutOfMembershipBudgetCanStillLeave() throws Exception {
        start(config().clock(new MutableClock()).framesPerSecond(0).membershipChangesPerMinute(3).build());
        try (TestAgent observer = TestAgent.ephemeral(otherAddress(), uri, "observer");
             TestAgent agent = ephemeral("agent")) {
            observer.send("{\"type\":\"JOIN\",\"channel\":\"#general\"}");
            observer.await("JOINED");
            Counts spent = sendAll(agent, List.of("{\"type\":\"JOIN\",\"channel\":\"#general\"}",
                    "{\"type\":\"LEAVE\",\"channel\":\"#general\"}", "{\"type\":\"JOIN\",\"channel\":\"#general\"}"));
            assertEquals(2, spent.of("JOINED"));
            agent.send("{\"type\":\"JOIN\",\"channel\":\"#agents\"}");
            agent.awaitError("RATE_LIMITED", "Rate limit exceeded (too many joins and leaves)");
            agent.send("{\"type\":\"LEAVE\",\"channel\":\"#general\"}");
            agent.await("LEFT");
            observer.await("AGENT_LEFT", f -> f.path("agent").asText().equals(agent.id));
        }
    }

    /** AGENT_JOINED and AGENT_LEFT notices the observer got up to a PING/PONG barrier. */
    private static int announcements(TestAgent observer) throws Exception {
        Counts seen = new Counts(observer.drainUntilPong());
        return seen.of("AGENT_JOINED") + seen.of("AGENT_LEFT");
    }

    @Test
    void throwawayKeysCannotLockAVictimsProposalInbox() throws Exception {
        start(config().framesPerSecond(0).build());
        Identity victimKey = Identity.generate("victim", Clock.systemUTC());
        Identity friendKey = Identity.generate("friend", Clock.systemUTC());
        try (TestAgent victim = TestAgent.proven(otherAddress(), uri, victimKey)) {
            int pending = 0;
            List<String> refusals = new ArrayList<>();
            for (int k = 0; k < 5; k++) {
                Identity throwaway = Identity.generate("throwaway" + k, Clock.systemUTC());
                try (TestAgent attacker = TestAgent.proven(client, uri, throwaway)) {
                    List<String> proposals = new ArrayList<>();
                    for (int i = 0; i < 20; i++) {
                        proposals.add(proposal(throwaway, victim.id, "spam " + k + "." + i));
                    }
                    Counts replies = sendAll(attacker, proposals);
                    pending += replies.of("PROPOSAL");
                    replies.frames().stream().filter(f -> "ERROR".equals(f.path("type").asText()))
                            .map(f -> f.path("message").asText()).distinct().forEach(refusals::add);
                }
            }
            assertEquals(20, pending, "5 per sender, 20 per address, for one recipient");
            assertEquals(List.of("Too many pending proposals to " + victim.id + " (max 5)",
                    "Agent " + victim.id + " has too many pending proposals from your address (max 20)"),
                    refusals.stream().distinct().toList());

            try (TestAgent friend = TestAgent.proven(otherAddress(), uri, friendKey)) {
                friend.send(proposal(friendKey, victim.id, "genuine work"));
                assertEquals("genuine work", friend.await("PROPOSAL").get("task").asText());
                assertEquals("genuine work", victim.await("PROPOSAL", f -> f.path("from").asText()
                        .equals(friend.id)).get("task").asText());
            }
        }
    }

    private static String proposal(Identity from, String to, String task) throws Exception {
        ObjectNode p = JSON.createObjectNode().put("type", "PROPOSAL").put("to", to).put("task", task)
                .put("expires", THIRTY_DAYS);
        p.put("sig", from.sign(SignedText.proposal(to, task, null, null, null, (double) THIRTY_DAYS, null)));
        return p.toString();
    }
}
