package io.agentchat.server;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Created channels in a cluster (docs/cluster.md, "Channels"): one namespace, one invite list and
 * one set of quotas for every relay, and a channel lives while any relay has a reader in it.
 */
@Timeout(value = 90, unit = TimeUnit.SECONDS)
class ClusterChannelsTest extends ClusterHarness {
    private static final Duration GRACE = Duration.ofMillis(600);

    @Override
    protected ServerConfig.Builder relayConfig(String name) {
        return super.relayConfig(name).emptyChannelGrace(GRACE).maxChannelsPerAddress(3).maxInvitesPerChannel(2);
    }

    private static String create(String channel, boolean inviteOnly) {
        return "{\"type\":\"CREATE_CHANNEL\",\"channel\":\"" + channel + "\",\"invite_only\":" + inviteOnly + "}";
    }

    private static String join(String channel) {
        return "{\"type\":\"JOIN\",\"channel\":\"" + channel + "\"}";
    }

    private static boolean says(JsonNode frame, String content) {
        return content.equals(frame.path("content").asText());
    }

    /** The next message of #team as "content seq epoch". */
    private static String numbered(TestAgent agent) throws Exception {
        JsonNode frame = agent.await("MSG", f -> "#team".equals(f.path("to").asText()) && f.has("seq"));
        return frame.get("content").asText() + " " + frame.get("seq").asLong() + " " + frame.get("epoch").asText();
    }

    @Test
    void aChannelMadeOnOneRelayIsJoinedAndSpokenInOnAnotherInOneOrder() throws Exception {
        try (TestAgent owner = TestAgent.ephemeral(client, relayA.uri(), "owner");
             TestAgent guest = TestAgent.ephemeral(client, relayB.uri(), "guest")) {
            owner.send(create("#team", false));
            owner.await("JOINED");
            guest.send(join("#team"));
            JsonNode joined = guest.await("JOINED");
            assertEquals("#team", joined.get("channel").asText());
            // Presence is shared: the first reader on relay B sees the owner on relay A, who hears it join.
            assertTrue(joined.get("agents").toString().contains(owner.id), joined.toString());
            owner.await("AGENT_JOINED", f -> guest.id.equals(f.get("agent").asText()));

            owner.send(msg("#team", "from-a"));
            guest.send(msg("#team", "from-b"));
            List<String> seenOnA = List.of(numbered(owner), numbered(owner));
            List<String> seenOnB = List.of(numbered(guest), numbered(guest));
            assertEquals(seenOnA, seenOnB, "one order, one seq and one epoch on both relays");

            guest.send("{\"type\":\"LIST_CHANNELS\"}");
            JsonNode list = guest.await("CHANNELS");
            assertTrue(list.toString().contains("#team"), list.toString());
        }
    }

    /**
     * Before, a namesake on relay B could create its own "#secret" (each relay kept its created
     * channels). Now the name is the cluster's: CHANNEL_EXISTS, NOT_INVITED, and no resume of its
     * history, until the owner invites the agent, wherever it is.
     */
    @Test
    void aPrivateChannelIsClosedToANamesakeOnAnotherRelayUntilItsOwnerInvitesIt() throws Exception {
        try (TestAgent owner = TestAgent.ephemeral(client, relayA.uri(), "owner");
             TestAgent other = TestAgent.ephemeral(client, relayB.uri(), "other")) {
            owner.send(create("#secret", true));
            JsonNode created = owner.await("JOINED");
            owner.send(msg("#secret", "for members only"));
            owner.await("MSG", f -> says(f, "for members only"));

            other.send(create("#secret", false));
            other.awaitError("CHANNEL_EXISTS", "Channel #secret already exists");
            other.send("{\"type\":\"JOIN\",\"channel\":\"#secret\",\"since\":0,\"epoch\":\"" + created.get("epoch").asText() + "\"}");
            other.awaitError("NOT_INVITED", "Channel #secret is invite-only");
            other.send(msg("#secret", "let me in"));
            other.awaitError("NOT_INVITED", "Not a member of #secret");

            owner.send("{\"type\":\"INVITE\",\"channel\":\"#secret\",\"agent\":\"" + other.id + "\"}");
            owner.drainUntilPong();
            JsonNode notice = other.await("MSG", f -> says(f, "You have been invited to #secret"));
            assertEquals(owner.id, notice.get("from").asText(), "the invite's notice crosses to the invitee's relay");
            other.send(join("#secret"));
            other.await("JOINED");
            owner.send(msg("#secret", "welcome"));
            other.await("MSG", f -> says(f, "welcome"));
        }
    }

    /** Before, relay B recorded the invite before the cluster refused it, so the refused invitee could join there. */
    @Test
    void anInviteTheClustersFullListRefusesAdmitsNobodyOnAnyRelay() throws Exception {
        try (TestAgent owner = TestAgent.ephemeral(client, relayA.uri(), "owner");
             TestAgent guest = TestAgent.ephemeral(client, relayB.uri(), "guest");
             TestAgent third = TestAgent.ephemeral(client, relayB.uri(), "third")) {
            owner.send(create("#pair", true));
            owner.await("JOINED");
            owner.send("{\"type\":\"INVITE\",\"channel\":\"#pair\",\"agent\":\"" + guest.id + "\"}"); // the list: owner, guest
            owner.drainUntilPong();
            guest.send(join("#pair"));
            guest.await("JOINED");
            guest.send("{\"type\":\"INVITE\",\"channel\":\"#pair\",\"agent\":\"" + third.id + "\"}");
            guest.awaitError("INVALID_MSG", "Invite list of #pair is full");
            third.send(join("#pair"));
            third.awaitError("NOT_INVITED", "Channel #pair is invite-only");
        }
    }

    @Test
    void theCreationQuotaOfAnAddressHoldsAcrossRelays() throws Exception {
        try (TestAgent onA = TestAgent.ephemeral(client, relayA.uri(), "a");
             TestAgent onB = TestAgent.ephemeral(client, relayB.uri(), "b")) {
            for (String name : List.of("#q1", "#q2")) {
                onA.send(create(name, false));
                onA.await("JOINED");
            }
            onB.send(create("#q3", false));
            onB.await("JOINED");
            onB.send(create("#q4", false));
            onB.awaitError("INVALID_MSG", "Channel limit reached (max 3 channels per address)");
        }
    }

    /**
     * A channel lives while a relay has a reader in it: relay A's copy empties and goes, but relay B
     * keeps the cluster's entry alive, so the name is not free. Once B's reader leaves too, the name
     * is free again and a new channel of that name starts with none of the old one's history.
     */
    @Test
    void aChannelLivesWhileAnyRelayHasAReaderAndItsNameIsFreeAfterTheGrace() throws Exception {
        JsonNode oldMessage;
        try (TestAgent guest = TestAgent.ephemeral(client, relayB.uri(), "guest")) {
            try (TestAgent owner = TestAgent.ephemeral(client, relayA.uri(), "owner")) {
                owner.send(create("#short", false));
                owner.await("JOINED");
                guest.send(join("#short"));
                guest.await("JOINED");
                owner.send(msg("#short", "old"));
                oldMessage = guest.await("MSG", f -> says(f, "old"));
            }
            try (TestAgent namesake = TestAgent.ephemeral(client, relayA.uri(), "namesake")) {
                // Well past A's grace: A let its copy go, B kept the name.
                await().during(GRACE.multipliedBy(4)).atMost(GRACE.multipliedBy(8)).pollInterval(Duration.ofMillis(150))
                        .until(() -> {
                            namesake.send(create("#short", false));
                            JsonNode answer = namesake.next();
                            return "CHANNEL_EXISTS".equals(answer.path("code").asText());
                        });
                namesake.send(join("#short"));
                namesake.await("JOINED");
                guest.send(msg("#short", "still here"));
                namesake.await("MSG", f -> says(f, "still here"));
            }
            guest.send("{\"type\":\"LEAVE\",\"channel\":\"#short\"}");
            guest.await("LEFT");
        }
        try (TestAgent next = TestAgent.ephemeral(client, relayA.uri(), "next")) {
            JsonNode[] created = new JsonNode[1];
            await().atMost(Duration.ofSeconds(20)).pollInterval(GRACE.dividedBy(3)).until(() -> {
                next.send(create("#short", true));
                JsonNode answer = next.next();
                created[0] = answer;
                return "JOINED".equals(answer.path("type").asText());
            });
            String oldEpoch = oldMessage.get("epoch").asText();
            assertFalse(oldEpoch.equals(created[0].get("epoch").asText()), "a new channel, a new epoch");
            next.send("{\"type\":\"LEAVE\",\"channel\":\"#short\"}");
            next.await("LEFT");
            next.send("{\"type\":\"JOIN\",\"channel\":\"#short\",\"since\":0,\"epoch\":\"" + oldEpoch + "\"}");
            JsonNode rejoined = next.await("JOINED");
            assertFalse(rejoined.path("recovered").asBoolean(true), rejoined.toString());
            List<JsonNode> rest = next.drainUntilPong();
            assertTrue(rest.stream().noneMatch(f -> says(f, "old")), rest.toString());
        }
    }
}
