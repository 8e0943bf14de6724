package io.agentchat.mcp;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.agentchat.control.RequestRefused;
import io.agentchat.ledger.LedgerFileException;
import io.agentchat.ledger.RatingsLedger;
import io.agentchat.reputation.Rating;
import java.nio.file.Path;
import java.time.Clock;
import java.util.Map;

/**
 * {@code agentchat_ratings}: the <em>local</em> ELO ledger that the persona holder builds from the
 * receipts of completed and disputed jobs ({@code <home>/.agentchat/ratings.json}, as
 * {@code agentchat ratings} reads it). Not the server's view; the answer says so.
 */
final class LocalRatings {

    private static final int LEADERBOARD = 10;

    private final Path file;
    private final Clock clock;
    private final ObjectMapper mapper;

    LocalRatings(Path file, Clock clock, ObjectMapper mapper) {
        this.file = file;
        this.clock = clock;
        this.mapper = mapper;
    }

    /** One agent's rating when {@code agent} is given, else the top of the ledger. */
    ObjectNode ratings(JsonNode agent) {
        RatingsLedger ledger;
        try {
            ledger = RatingsLedger.load(file, clock);
        } catch (LedgerFileException e) {
            throw new RequestRefused("the local ratings file cannot be read: " + e.getMessage());
        }
        ObjectNode result = mapper.createObjectNode();
        result.put("source", "local ledger built from this persona's receipts, not the server's ratings");
        if (agent != null && !agent.isNull()) {
            if (!agent.isTextual() || agent.asText().isBlank()) {
                throw new RequestRefused("\"agent\" must be an agent id such as \"@1a2b3c4d\"");
            }
            String ref = agent.asText().startsWith("@") ? agent.asText() : "@" + agent.asText();
            Rating rating = ledger.find(ref);
            result.put("agent", ref);
            result.put("rating", (rating == null ? Rating.NEW : rating).rating());
            result.put("transactions", (rating == null ? Rating.NEW : rating).transactions());
            return result;
        }
        ArrayNode top = result.putArray("leaderboard");
        for (Map.Entry<String, Rating> entry : ledger.leaderboard(LEADERBOARD)) {
            top.addObject().put("agent", entry.getKey()).put("rating", entry.getValue().rating())
                    .put("transactions", entry.getValue().transactions());
        }
        return result;
    }
}
