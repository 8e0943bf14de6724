package io.agentchat.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.agentchat.identity.Identity;
import java.time.Clock;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Attack that held (docs/cluster.md, "DMs and identity"): an impostor on relay B identifies with
 * alice's public key and never answers the challenge, while alice is proven on relay A. The
 * impostor is given alice's id, so every frame routed by id on relay B is a chance to reach it
 * instead of her: a DM and an invite's notice from a sender on relay B, and a DM from relay A. All
 * reach alice and nothing reaches the impostor, which stays connected and unproven.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class ClusterKeyWithoutProofAttackTest extends ClusterHarness {
    private final Identity alice = Identity.generate("alice", Clock.systemUTC());

    private static boolean says(JsonNode frame, String content) {
        return "MSG".equals(frame.path("type").asText()) && content.equals(frame.path("content").asText());
    }

    @Test
    void framesForAProvenAgentNeverReachAnUnprovenSessionWithItsKeyOnAnotherRelay() throws Exception {
        try (TestAgent real = TestAgent.proven(client, relayA.uri(), alice);
             TestAgent impostor = TestAgent.unproven(client, relayB.uri(), alice);
             TestAgent senderOnB = TestAgent.ephemeral(client, relayB.uri(), "sender-b");
             TestAgent senderOnA = TestAgent.ephemeral(client, relayA.uri(), "sender-a")) {
            String to = "@" + alice.agentId();
            assertEquals(to, impostor.id, "the impostor is given alice's id on relay B");

            senderOnB.send(HeldDms.dm(to, "from b"));
            real.await("MSG", f -> says(f, "from b"));
            senderOnA.send(HeldDms.dm(to, "from a"));
            real.await("MSG", f -> says(f, "from a"));
            senderOnB.send("{\"type\":\"CREATE_CHANNEL\",\"channel\":\"#room\",\"invite_only\":true}");
            senderOnB.await("JOINED");
            senderOnB.send("{\"type\":\"INVITE\",\"channel\":\"#room\",\"agent\":\"" + to + "\"}");
            real.await("MSG", f -> says(f, "You have been invited to #room"));

            List<JsonNode> seen = impostor.drainUntilPong();
            assertTrue(seen.stream().noneMatch(f -> "MSG".equals(f.path("type").asText())), seen.toString());
            impostor.send("{\"type\":\"JOIN\",\"channel\":\"#room\"}");
            impostor.awaitError("NOT_INVITED", "Channel #room is invite-only");
            assertTrue(impostor.isOpen());
        }
    }
}
