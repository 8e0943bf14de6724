package io.agentchat.server.market;

import static io.agentchat.protocol.ErrorCode.INVALID_MSG;
import static io.agentchat.protocol.ErrorCode.SIGNATURE_REQUIRED;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.agentchat.identity.SignedText;
import io.agentchat.protocol.ClientFrame;
import io.agentchat.protocol.ProtocolException;
import io.agentchat.protocol.ServerFrame;
import io.agentchat.reputation.Rating;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SkillsTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    @TempDir
    Path dir;
    MarketFixture m;

    @BeforeEach
    void setUp() {
        m = new MarketFixture(dir, MarketConfig.defaults().withLimits(20, 3, 3));
    }

    @AfterEach
    void tearDown() {
        m.close();
    }

    private ClientFrame.RegisterSkills skills(MarketFixture.Agent agent, String json) throws Exception {
        JsonNode skills = JSON.readTree(json);
        return new ClientFrame.RegisterSkills(skills, agent.sign(SignedText.registerSkills(skills)));
    }

    private ServerFrame.SearchResults search(String query) throws Exception {
        m.delivery.drain();
        m.send(m.carol, new ClientFrame.SearchSkills(JSON.readTree(query), JSON.readTree("\"q1\"")));
        return (ServerFrame.SearchResults) m.delivery.drain().get(0).frame();
    }

    @Test
    void registerRepliesThenAnnouncesToDiscovery() throws Exception {
        m.send(m.alice, skills(m.alice, "[{\"capability\":\"code_review\",\"rate\":5,\"currency\":\"TEST\"},"
                + "{\"capability\":\"Data_Analysis\"}]"));
        List<RecordingDelivery.Sent> sent = m.delivery.drain();
        assertEquals(m.alice.ref(), sent.get(0).to());
        ServerFrame.SkillsRegistered reply = (ServerFrame.SkillsRegistered) sent.get(0).frame();
        assertEquals(2, reply.skillsCount());
        assertEquals("#discovery", sent.get(1).to());
        assertEquals("Agent " + m.alice.ref() + " registered 2 skill(s): code_review, Data_Analysis",
                ((ServerFrame.Msg) sent.get(1).frame()).content());
    }

    @Test
    void searchFiltersAndOrdersByRatingThenRecency() throws Exception {
        m.send(m.alice, skills(m.alice, "[{\"capability\":\"code_review\",\"rate\":10,\"currency\":\"TEST\"}]"));
        m.clock.advance(Duration.ofMillis(5));
        m.send(m.bob, skills(m.bob, "[{\"capability\":\"code_generation\",\"rate\":5,\"currency\":\"test\"},"
                + "{\"capability\":\"solana\",\"rate\":1,\"currency\":\"SOL\"},{\"capability\":\"free_code\"}]"));
        ServerFrame.SearchResults all = search("{}");
        assertEquals(4, all.total());
        // equal ratings: the newer registration (bob) first, then registry order within it
        assertEquals(List.of("code_generation", "solana", "free_code", "code_review"),
                all.results().stream().map(r -> r.get("capability").asText()).toList());
        assertEquals(List.of("code_generation", "free_code", "code_review"), caps(search("{\"capability\":\"CODE\"}")));
        assertEquals(List.of("code_generation", "free_code"), caps(search("{\"capability\":\"code\",\"max_rate\":5}")));
        assertEquals(List.of("code_generation", "free_code", "code_review"), caps(search("{\"currency\":\"TEST\"}")));
        assertEquals(List.of("code_generation"), caps(search("{\"limit\":1}")));
        assertEquals(List.of("code_generation", "solana", "free_code"), caps(search("{\"limit\":-1}")));
        m.ratings.putAll(Map.of(m.alice.ref(), new Rating(1500, 3, null)));
        ServerFrame.SearchResults rated = search("{\"capability\":\"code_review\"}");
        assertEquals("{\"agent_id\":\"" + m.alice.ref() + "\",\"capability\":\"code_review\",\"rate\":10,"
                + "\"currency\":\"TEST\",\"registered_at\":" + (m.clock.millis() - 5) + ",\"rating\":1500,\"transactions\":3}",
                rated.results().get(0).toString());
        assertEquals("code_review", caps(search("{}")).get(0));
    }

    private static List<String> caps(ServerFrame.SearchResults results) {
        return results.results().stream().map(r -> r.get("capability").asText()).toList();
    }

    @Test
    void skillsCannotSpoofServerFieldsAndAreTypeChecked() throws Exception {
        m.send(m.alice, skills(m.alice, "[{\"agent_id\":\"@victim\",\"capability\":\"x\",\"rating\":9999,\"evil\":1}]"));
        JsonNode entry = search("{}").results().get(0);
        assertEquals(m.alice.ref(), entry.get("agent_id").asText());
        assertEquals(1200, entry.get("rating").asInt());
        assertEquals(null, entry.get("evil"));
        m.refused(m.alice, skills(m.alice, "[{\"capability\":\"x\",\"currency\":5}]"), INVALID_MSG,
                "Skill 0: currency must be a string");
        m.refused(m.alice, skills(m.alice, "[{\"capability\":\"x\",\"rate\":-1}]"), INVALID_MSG,
                "Skill 0: rate must be a non-negative number");
        m.refused(m.alice, skills(m.alice, "[{\"capability\":\"x\"},{\"capability\":\"y\"},{\"capability\":\"z\"},"
                + "{\"capability\":\"w\"}]"), INVALID_MSG, "Too many skills (max 3)");
        m.refused(m.carol, new ClientFrame.SearchSkills(JSON.readTree("{\"capability\":5}"), null), INVALID_MSG,
                "query.capability must be a string");
        m.refused(m.carol, new ClientFrame.SearchSkills(JSON.readTree("{\"currency\":[]}"), null), INVALID_MSG,
                "query.currency must be a string");
    }

    @Test
    void signaturesAreRequiredAndChecked() throws Exception {
        JsonNode list = JSON.readTree("[{\"capability\":\"x\"}]");
        m.refused(m.alice, new ClientFrame.RegisterSkills(list, m.alice.sign("[{\"capability\":\"y\"}]")), INVALID_MSG,
                "Invalid signature for REGISTER_SKILLS (not made by the sender's key over this frame)");
        ProtocolException e = assertThrows(ProtocolException.class, () -> m.market.handle(
                new ClientFrame.RegisterSkills(list, "sig"), new Caller("@ephemera", null, false), m.delivery));
        assertEquals(SIGNATURE_REQUIRED, e.code());
        assertEquals("Skill registration requires persistent identity", e.getMessage());
    }

    @Test
    void theRegistryIsBoundedAndRegistrationsLapse() throws Exception {
        m.send(m.alice, skills(m.alice, "[{\"capability\":\"a\"}]"));
        m.send(m.bob, skills(m.bob, "[{\"capability\":\"b\"}]"));
        m.send(m.carol, skills(m.carol, "[{\"capability\":\"c\"}]"));
        MarketFixture.Agent dave = m.agent("dave");
        m.refused(dave, skills(dave, "[{\"capability\":\"d\"}]"), INVALID_MSG, "Skills registry is full, try again later");
        m.send(m.alice, skills(m.alice, "[{\"capability\":\"a2\"}]")); // replacing is always allowed
        m.clock.advance(Duration.ofHours(25));
        m.send(dave, skills(dave, "[{\"capability\":\"d\"}]"));
        assertEquals(List.of("d"), caps(search("{}")));
    }
}
