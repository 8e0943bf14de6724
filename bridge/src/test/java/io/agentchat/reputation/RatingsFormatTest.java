package io.agentchat.reputation;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.agentchat.json.IsoTime;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The file both the server's store and the CLI's ledger read and write. */
class RatingsFormatTest {
    private static final String TWO_AGENTS = "{\n  \"@857005ba\": {\n    \"rating\": 1322,\n"
            + "    \"transactions\": 42,\n    \"updated\": \"2026-11-25T03:15:21.525Z\"\n  },\n  \"@8183df36\": {\n"
            + "    \"rating\": 1509,\n    \"transactions\": 122,\n    \"updated\": null\n  }\n}";

    @Test
    void parseAndRenderRoundTripTheBytesAndKeepFileOrder() {
        Map<String, Rating> parsed = RatingsFormat.parse(TWO_AGENTS);
        assertEquals(List.of("@857005ba", "@8183df36"), List.copyOf(parsed.keySet()));
        assertEquals(new Rating(1322, 42, "2026-11-25T03:15:21.525Z"), parsed.get("@857005ba"));
        assertEquals(new Rating(1509, 122, null), parsed.get("@8183df36"));
        assertEquals(TWO_AGENTS, RatingsFormat.render(parsed));
    }

    @Test
    void aNullRatingStartsOverAtTheDefault() {
        Map<String, Rating> parsed = RatingsFormat.parse("{\"@a\": {\"rating\": null, \"transactions\": 3}}");
        assertEquals(new Rating(Elo.START, 3, null), parsed.get("@a"));
    }

    @Test
    void whatIsNotARatingsFileIsRefusedInAFewWords() {
        assertEquals("expected a JSON object of agent ratings",
                assertThrows(IllegalArgumentException.class, () -> RatingsFormat.parse("[1,2]")).getMessage());
        assertEquals("entry @a has an invalid rating", assertThrows(IllegalArgumentException.class,
                () -> RatingsFormat.parse("{\"@a\": {\"rating\": \"high\"}}")).getMessage());
        assertThrows(IllegalArgumentException.class, () -> RatingsFormat.parse("{\"@a\": {\"rating\": 12"));
    }

    @Test
    void anEmptyLedgerIsAnEmptyObject() {
        assertEquals("{}", RatingsFormat.render(new LinkedHashMap<>()));
    }

    @Test
    void timestampsAreJavaScriptsToIsoString() {
        assertEquals("1970-01-01T00:00:00.050Z", IsoTime.format(50));
    }
}
