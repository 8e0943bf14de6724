package io.agentchat.server;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import io.agentchat.identity.Identity;
import io.agentchat.identity.SignedText;
import java.time.Clock;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Relays' clocks differ a little; a signature must not become replayable on a relay whose clock is
 * behind because the relay that relayed it judged it by its own clock (docs/cluster.md, "DMs and
 * identity"). Relay B runs 20 s behind relay A here.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class ClusterSignatureClockTest extends ClusterHarness {
    private static final Duration B_BEHIND = Duration.ofSeconds(20);
    private final Identity alice = Identity.generate("alice", Clock.systemUTC());

    @Override
    protected ServerConfig.Builder relayConfig(String name) {
        ServerConfig.Builder builder = super.relayConfig(name);
        return "relay-b".equals(name) ? builder.clock(Clock.offset(Clock.systemUTC(), B_BEHIND.negated())) : builder;
    }

    /**
     * A proven sender on A signs with a {@code ts} just past the 120 s window by A's clock: A relays
     * it with its signature, and B, 20 s behind, still takes that {@code ts} as fresh. Before the fix
     * A remembered nothing (stale by its clock), so an unproven session on B replayed the message
     * under alice's id (this test got the MSG echo instead of the ERROR).
     */
    @Test
    void aSignatureStaleByTheRelayingRelaysClockIsNotReplayableOnARelayWhoseClockIsBehind() throws Exception {
        try (TestAgent owner = TestAgent.proven(client, relayA.uri(), alice)) {
            owner.send("{\"type\":\"JOIN\",\"channel\":\"#general\"}");
            owner.await("JOINED");
            String signed = signed("old", System.currentTimeMillis() - 125_000);
            owner.send(signed);
            JsonNode relayed = owner.await("MSG", f -> "old".equals(f.path("content").asText()));
            assertEquals(true, relayed.hasNonNull("sig"), "A relays it with its signature: " + relayed);

            try (TestAgent impostor = TestAgent.unproven(client, relayB.uri(), alice)) {
                impostor.send("{\"type\":\"JOIN\",\"channel\":\"#general\"}");
                impostor.await("JOINED");
                impostor.send(signed);
                JsonNode refused = impostor.await("ERROR");
                assertEquals("SIGNATURE_REQUIRED", refused.get("code").asText(), refused.toString());
                // The impostor's session stays usable, and a signature B has never seen is taken.
                impostor.send(signed("fresh", System.currentTimeMillis() - B_BEHIND.toMillis()));
                impostor.await("MSG", f -> "fresh".equals(f.path("content").asText()));
            }
        }
    }

    private String signed(String content, long ts) {
        String sig = alice.sign(SignedText.msg("#general", content, ts));
        return "{\"type\":\"MSG\",\"to\":\"#general\",\"content\":\"" + content + "\",\"ts\":" + ts
                + ",\"sig\":\"" + sig + "\"}";
    }
}
