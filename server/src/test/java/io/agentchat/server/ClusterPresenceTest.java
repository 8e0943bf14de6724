package io.agentchat.server;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.agentchat.identity.Identity;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Presence across two relays over one real redis-server (docs/cluster.md, "Presence"): member
 * lists, counts, joins, leaves and presence changes are seen on both relays as on one server.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class ClusterPresenceTest extends ClusterHarness {
    private static final ObjectMapper JSON = new ObjectMapper();

    @Override
    protected Duration relayTtl() {
        return Duration.ofMillis(1500);
    }

    static List<String> texts(JsonNode array) {
        List<String> texts = new ArrayList<>();
        array.forEach(node -> texts.add(node.asText()));
        return texts;
    }

    /** The refs LIST_AGENTS names for #general on {@code agent}'s relay. */
    static List<String> listed(TestAgent agent) throws Exception {
        agent.send("{\"type\":\"LIST_AGENTS\",\"channel\":\"#general\"}");
        List<String> ids = new ArrayList<>();
        agent.await("AGENTS").get("list").forEach(info -> ids.add(info.get("id").asText()));
        return ids;
    }

    static JsonNode health(TestRelay relay) throws Exception {
        HttpResponse<String> response = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                URI.create("http://127.0.0.1:" + relay.port() + "/health")).GET().build(), HttpResponse.BodyHandlers.ofString());
        return JSON.readTree(response.body());
    }

    @Test
    void membersOnEitherRelayAreListedCountedAndAnnouncedOnBoth() throws Exception {
        try (TestAgent a = joined(relayA, "alice")) {
            TestAgent b = TestAgent.ephemeral(client, relayB.uri(), "bob");
            b.send("{\"type\":\"JOIN\",\"channel\":\"#general\"}");
            JsonNode joined = b.await("JOINED");
            assertEquals(List.of(b.id, a.id), texts(joined.get("agents")), "bob's JOINED names alice, on the other relay");

            JsonNode arrived = a.await("AGENT_JOINED");
            assertEquals(b.id, arrived.get("agent").asText());
            JsonNode greeting = a.await("MSG", f -> "@server".equals(f.path("from").asText()));
            assertTrue(greeting.get("content").asText().contains("new agent " + b.id), greeting.toString());

            assertEquals(List.of(a.id, b.id), listed(a));
            a.send("{\"type\":\"LIST_AGENTS\",\"channel\":\"#general\"}");
            JsonNode bob = a.await("AGENTS").get("list").get(1);
            assertEquals("bob", bob.get("name").asText());
            assertEquals("online", bob.get("presence").asText());
            a.send("{\"type\":\"LIST_CHANNELS\"}");
            JsonNode general = null;
            for (JsonNode info : a.await("CHANNELS").get("list")) {
                if ("#general".equals(info.get("name").asText())) {
                    general = info;
                }
            }
            assertEquals(2, general.get("agents").asInt(), "LIST_CHANNELS counts both relays' members");

            b.send("{\"type\":\"SET_PRESENCE\",\"status\":\"busy\",\"status_text\":\"reviewing\"}");
            JsonNode changed = a.await("PRESENCE_CHANGED");
            assertEquals(b.id, changed.get("agent_id").asText());
            assertEquals("busy", changed.get("presence").asText());
            assertEquals("reviewing", changed.get("status_text").asText());
            a.send("{\"type\":\"LIST_AGENTS\",\"channel\":\"#general\"}");
            assertEquals("busy", a.await("AGENTS").get("list").get(1).get("presence").asText());

            b.send("{\"type\":\"LEAVE\",\"channel\":\"#general\"}");
            b.await("LEFT");
            assertEquals(b.id, a.await("AGENT_LEFT").get("agent").asText());
            assertEquals(List.of(a.id), listed(a));

            b.send("{\"type\":\"JOIN\",\"channel\":\"#general\"}");
            b.await("JOINED");
            a.await("AGENT_JOINED", f -> b.id.equals(f.get("agent").asText()));
            b.close(); // a disconnect is a leave too
            assertEquals(b.id, a.await("AGENT_LEFT").get("agent").asText());
            assertEquals(List.of(a.id), listed(a));
        }
    }

    /**
     * --max-announced-members counts the members of every relay: past it, a join on another relay is
     * not announced. A member's join reaches the other relays before its first message (one Pub/Sub
     * connection, in Redis's order), so that message is the barrier showing nothing was announced.
     */
    @Test
    void theAnnouncementLimitCountsTheMembersOfEveryRelay() throws Exception {
        try (TestRelay small1 = TestRelay.start(TestRelay.defaults().name("small-1").maxAnnouncedMembers(2)
                        .cluster(redis.uri()).clusterRelayTtl(relayTtl()).build());
             TestRelay small2 = TestRelay.start(TestRelay.defaults().name("small-2").maxAnnouncedMembers(2)
                        .cluster(redis.uri()).clusterRelayTtl(relayTtl()).build());
             TestAgent a = joined(small1, "alice"); TestAgent b = joined(small2, "bob")) {
            a.await("AGENT_JOINED", f -> b.id.equals(f.get("agent").asText()));
            a.await("MSG", f -> "@server".equals(f.path("from").asText()) && f.get("content").asText().contains(b.id));
            try (TestAgent c = joined(small2, "carol")) {
                c.send(msg("hello from carol"));
                List<JsonNode> before = new ArrayList<>();
                while (true) {
                    JsonNode frame = a.next();
                    if ("hello from carol".equals(frame.path("content").asText())) {
                        break;
                    }
                    before.add(frame);
                }
                assertTrue(before.stream().noneMatch(f -> "AGENT_JOINED".equals(f.path("type").asText())
                        || "@server".equals(f.path("from").asText())), "a third member is not announced: " + before);
                assertEquals(List.of(a.id, b.id, c.id), listed(a));
            }
        }
    }

    /**
     * What Pub/Sub did not bring, the periodic read does: an entry written straight into Redis,
     * published to nobody, of a relay that is alive, is learned by relay A at its next read; once that
     * relay's heartbeat is gone, a read removes the entry and A's members see it leave.
     */
    @Test
    void theReadBringsWhatPubSubDidNotAndTakesOutTheMembersOfALapsedRelay() throws Exception {
        try (TestAgent a = joined(relayA, "alice")) {
            assertEquals(":1", redisCommand("ZADD", "agentchat:relays", "99999999999999", "0000000f00d0"));
            String entry = "{\"id\":\"ghost123\",\"n\":\"ghost\",\"p\":\"online\",\"t\":null,"
                    + "\"r\":\"0000000f00d0\",\"s\":\"feedbeef\"}";
            assertEquals(":1", redisCommand("HSET", "agentchat:{#general}:roster", "ghost123", entry));
            JsonNode arrived = a.await("AGENT_JOINED", f -> "@ghost123".equals(f.get("agent").asText()));
            assertEquals("#general", arrived.get("channel").asText());
            assertEquals(List.of(a.id, "@ghost123"), listed(a));

            assertEquals(":1", redisCommand("ZREM", "agentchat:relays", "0000000f00d0"));
            a.await("AGENT_LEFT", f -> "@ghost123".equals(f.get("agent").asText()));
            assertEquals(List.of(a.id), listed(a));
        }
    }

    /** One command to the test's redis-server, in RESP; returns the first line of the reply. */
    private String redisCommand(String... args) throws Exception {
        StringBuilder request = new StringBuilder("*" + args.length + "\r\n");
        for (String arg : args) {
            byte[] bytes = arg.getBytes(java.nio.charset.StandardCharsets.UTF_8);
            request.append('$').append(bytes.length).append("\r\n").append(arg).append("\r\n");
        }
        try (java.net.Socket socket = new java.net.Socket("127.0.0.1", redis.port())) {
            socket.setSoTimeout(5000);
            socket.getOutputStream().write(request.toString().getBytes(java.nio.charset.StandardCharsets.UTF_8));
            socket.getOutputStream().flush();
            return new java.io.BufferedReader(new java.io.InputStreamReader(socket.getInputStream(),
                    java.nio.charset.StandardCharsets.UTF_8)).readLine();
        }
    }

    @Test
    void healthReportsTheRelaysSeenAndWhetherRedisAnswers() throws Exception {
        // Relay A's last beat may predate relay B: the next one, within a third of the TTL, sees both.
        await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(100))
                .until(() -> health(relayA).get("cluster").get("relays_seen").asInt() == 2);
        JsonNode cluster = health(relayA).get("cluster");
        assertEquals("reachable", cluster.get("redis").asText());
        String relay = cluster.get("relay").asText();
        assertTrue(relay.matches("[0-9a-f]{12}"), relay);
        assertTrue(!relay.equals(health(relayB).get("cluster").get("relay").asText()), "each relay has its own id");

        redis.kill();
        await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(100))
                .until(() -> "unreachable".equals(health(relayA).get("cluster").get("redis").asText()));
        assertEquals("healthy", health(relayA).get("status").asText(), "the relay still serves its own clients");
        try (TestAgent late = joined(relayA, "late")) { // nothing waits for Redis: JOIN and LIST_AGENTS answer at once
            assertEquals(List.of(late.id), listed(late));
        }
    }

    /**
     * One key on two relays: proving it on relay B displaces the session on relay A, whose leave (it
     * is dropped from #general as it closes) must not delete the entry of the later session, so a
     * relay that starts afterwards, knowing only what Redis holds, still lists the agent.
     */
    @Test
    void theLeaveOfAnEarlierSessionOfTheSameIdDoesNotRemoveTheLaterOnesEntry() throws Exception {
        Identity key = Identity.generate("twin", Clock.systemUTC());
        TestAgent first = TestAgent.proven(client, relayA.uri(), key);
        first.send("{\"type\":\"JOIN\",\"channel\":\"#general\"}");
        first.await("JOINED");
        try (TestAgent watcher = joined(relayB, "watcher"); TestAgent later = TestAgent.unproven(client, relayB.uri(), key)) {
            later.send("{\"type\":\"JOIN\",\"channel\":\"#general\"}"); // an unseen reader until it proves the key
            later.await("JOINED");
            later.send(later.challengeAnswer(key, relayB.uri())); // the proof: it becomes a member as A's session goes
            later.await("VERIFY_SUCCESS");
            first.awaitError("INVALID_MSG", "Disconnected: Another connection claimed this identity");
            assertTrue(first.awaitClose());
            await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(100))
                    .until(() -> listed(watcher).equals(List.of(watcher.id, later.id)));
            try (TestRelay relayC = relay("relay-c"); TestAgent c = TestAgent.ephemeral(client, relayC.uri(), "carol")) {
                // A relay lists the others' members in the order it heard of them; from a read, Redis's order.
                assertEquals(java.util.Set.of(watcher.id, later.id), java.util.Set.copyOf(listed(c)),
                        "the entry is the later session's, still there");
            }
        }
    }

    /**
     * Redis restarts empty: every relay writes its members back within a beat, so a relay that
     * starts afterwards, knowing only what Redis holds, lists them all; and the members already
     * there are never told that the others left.
     */
    @Test
    void afterRedisRestartsEmptyTheRelaysWriteTheirMembersBack() throws Exception {
        try (TestAgent a = joined(relayA, "alice"); TestAgent b = joined(relayB, "bob")) {
            a.await("AGENT_JOINED", f -> b.id.equals(f.get("agent").asText()));
            redis.restart();
            try (TestRelay relayC = relay("relay-c")) {
                TestAgent c = TestAgent.ephemeral(client, relayC.uri(), "carol");
                await().atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(200))
                        .until(() -> listed(c).containsAll(List.of(a.id, b.id)));
                // Past the heartbeat's lifetime, so every relay has read the new roster whole.
                await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(200))
                        .until(() -> health(relayA).get("cluster").get("relays_seen").asInt() == 3);
                List<JsonNode> seenByA = a.drainUntilPong();
                assertTrue(seenByA.stream().noneMatch(f -> "AGENT_LEFT".equals(f.path("type").asText())), seenByA.toString());
                assertEquals(List.of(a.id, b.id), listed(a));
                c.close();
            }
        }
    }
}
