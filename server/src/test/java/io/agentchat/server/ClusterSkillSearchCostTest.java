package io.agentchat.server;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.agentchat.identity.Identity;
import io.agentchat.identity.SignedText;
import com.fasterxml.jackson.databind.JsonNode;
import io.lettuce.core.LettuceFutures;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisFuture;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.async.RedisAsyncCommands;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * What one SEARCH_SKILLS costs the cluster's Redis (docs/cluster.md, "Marketplace"). Anyone may
 * search, unproven; the registry holds up to 10,000 registrations of 50 skills each, so a search must
 * not make one blocking round trip per skill found.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class ClusterSkillSearchCostTest extends ClusterHarness {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final int SKILLS = 50;
    private static final Pattern HGET_CALLS = Pattern.compile("cmdstat_hget:calls=(\\d+)");
    private static final Pattern HMGET = Pattern.compile("cmdstat_hmget:calls=(\\d+),usec=(\\d+)");
    private static final int AGENTS = 5_000;

    /**
     * Before the fix each skill found read its agent's rating with its own HGET, one Redis round trip
     * after another on the Jetty thread and under the registry's lock (this test counted 50 HGETs for
     * 50 skills of one agent); now one search reads the ratings of all its agents at once.
     */
    @Test
    void aSearchReadsTheRatingsOfAllItsAgentsInOneRoundTripNotOnePerSkill() throws Exception {
        Identity bobKey = Identity.generate("bob", Clock.systemUTC());
        StringBuilder skills = new StringBuilder("[");
        for (int i = 0; i < SKILLS; i++) {
            skills.append(i == 0 ? "" : ",").append("{\"capability\":\"code").append(i).append("\"}");
        }
        String list = skills.append(']').toString();
        RedisClient redisClient = RedisClient.create(redis.uri().toString());
        try (TestAgent bob = TestAgent.proven(client, relayA.uri(), bobKey);
             TestAgent searcher = TestAgent.ephemeral(client, relayB.uri(), "searcher");
             StatefulRedisConnection<String, String> stats = redisClient.connect()) {
            bob.send("{\"type\":\"REGISTER_SKILLS\",\"skills\":" + list + ",\"sig\":\""
                    + bobKey.sign(SignedText.registerSkills(JSON.readTree(list))) + "\"}");
            bob.await("SKILLS_REGISTERED");
            await().atMost(Duration.ofSeconds(5)).pollInterval(Duration.ofMillis(50)).until(() -> {
                searcher.send("{\"type\":\"SEARCH_SKILLS\",\"query\":{\"capability\":\"code\"}}");
                return searcher.await("SEARCH_RESULTS").path("total").asInt() == SKILLS;
            });

            stats.sync().configResetstat();
            searcher.send("{\"type\":\"SEARCH_SKILLS\",\"query\":{\"capability\":\"code\"}}");
            assertEquals(SKILLS, searcher.await("SEARCH_RESULTS").path("total").asInt());
            Matcher hget = HGET_CALLS.matcher(stats.sync().info("commandstats"));
            long calls = hget.find() ? Long.parseLong(hget.group(1)) : 0;
            // The relays' own scripts (heartbeats, rosters) may run a few HGETs meanwhile; never one per skill.
            assertTrue(calls < SKILLS, calls + " HGETs for one search of " + SKILLS + " skills of one agent");
        } finally {
            redisClient.shutdown();
        }
    }

    /**
     * A search's cost to Redis must not grow with what it matches: before the fix, an unproven
     * session's empty query with limit 1 read the rating of every agent matched with one HMGET (this
     * test saw one HMGET of 5,000 fields; at the registry's 10,000 about 1.5 ms of Redis's one
     * thread), so a few dozen connections searching kept Redis busy for every relay. Now a relay
     * ranks from its own copy of the ratings ledger, which must still rank by the ledger's ratings.
     */
    @Test
    void aSearchWithLimitOneReadsNoRatingsFromRedisHoweverManySkillsItMatches() throws Exception {
        RedisClient redisClient = RedisClient.create(redis.uri().toString());
        try (StatefulRedisConnection<String, String> redisConnection = redisClient.connect()) {
            // One agent of the many is rated in the cluster's ledger; relay C, started after, takes it.
            redisConnection.sync().hset("agentchat:ratings", "agent-4321", "1300 3 -");
            storeRegistrations(redisConnection.async());
            try (TestRelay relayC = relay("relay-c");
                 TestAgent searcher = TestAgent.ephemeral(client, relayC.uri(), "searcher")) {
                await().atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(200)).until(() -> {
                    searcher.send("{\"type\":\"SEARCH_SKILLS\",\"query\":{\"limit\":1}}");
                    return searcher.await("SEARCH_RESULTS").path("total").asInt() == AGENTS;
                });

                redisConnection.sync().configResetstat();
                searcher.send("{\"type\":\"SEARCH_SKILLS\",\"query\":{\"limit\":1}}");
                JsonNode answer = searcher.await("SEARCH_RESULTS");
                String stats = redisConnection.sync().info("commandstats");

                assertEquals(AGENTS, answer.path("total").asInt());
                assertEquals(1, answer.path("results").size());
                assertEquals("agent-4321", answer.path("results").path(0).path("agent_id").asText(),
                        "the best rated agent first: " + answer);
                assertEquals(1300, answer.path("results").path(0).path("rating").asInt());
                Matcher hmget = HMGET.matcher(stats);
                assertFalse(hmget.find(), () -> "a search with limit 1 read ratings from Redis: cmdstat_hmget:calls="
                        + hmget.group(1) + ",usec=" + hmget.group(2) + " for " + AGENTS + " agents matched");
            }
        } finally {
            redisClient.shutdown();
        }
    }

    /**
     * One registration of one skill for each of {@link #AGENTS} agents, kept in Redis as the cluster's
     * skill board keeps them (an entry per agent, indexed by expiry), for a relay to read at start.
     */
    private static void storeRegistrations(RedisAsyncCommands<String, String> redis) {
        long now = System.currentTimeMillis();
        long expires = now + Duration.ofHours(1).toMillis();
        List<RedisFuture<?>> sent = new ArrayList<>(2 * AGENTS);
        for (int i = 0; i < AGENTS; i++) {
            String agent = "agent-" + i;
            sent.add(redis.set("agentchat:skills:" + agent,
                    "{\"agent\":\"" + agent + "\",\"at\":" + now + ",\"skills\":[{\"capability\":\"code\"}]}"));
            sent.add(redis.zadd("agentchat:skills", expires, agent));
        }
        assertTrue(LettuceFutures.awaitAll(Duration.ofSeconds(10), sent.toArray(RedisFuture[]::new)));
    }
}
