package io.agentchat.server;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.agentchat.identity.Identity;
import io.agentchat.identity.SignedText;
import io.lettuce.core.RedisClient;
import io.lettuce.core.api.StatefulRedisConnection;
import java.time.Clock;
import java.time.Duration;
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
}
