package io.agentchat.server;

import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.agentchat.identity.Identity;
import java.time.Clock;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Attack (docs/cluster.md, "Channels", "Reclaiming"): a relay renews the cluster's entry of every
 * channel it holds a copy of while that copy is within the empty-channel grace, and it makes a copy
 * the first time any client names the channel, LIST_AGENTS included. LIST_AGENTS may be sent before
 * IDENTIFY and makes the copy even when it is refused (NOT_INVITED). So one connection that never
 * identifies, on a relay other than the channel's, can keep any abandoned channel from being
 * reclaimed, and with it the creator's per-agent and per-address quotas and the cluster's
 * --max-channels, for as long as it keeps naming the channel once per grace. On one relay naming a
 * channel does not renew it. The first test is the control: without the listing the quota frees.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class ClusterChannelKeptAliveAttackTest extends ClusterHarness {
    /**
     * Long enough that the stranger's listing, once a poll, lands well inside the 2/3 of a grace
     * between relay B letting its copy go and the entry lapsing, even on a loaded machine.
     */
    private static final Duration GRACE = Duration.ofSeconds(2);
    private final Identity alice = Identity.generate("alice", Clock.systemUTC());

    @Override
    protected ServerConfig.Builder relayConfig(String name) {
        return super.relayConfig(name).emptyChannelGrace(GRACE).maxChannelsPerCreator(1);
    }

    private static String create(String channel) {
        return "{\"type\":\"CREATE_CHANNEL\",\"channel\":\"" + channel + "\",\"invite_only\":true}";
    }

    /** Alice made #old and left it: its slot of her one-channel quota is hers again after the grace. */
    private TestAgent aliceAfterLeavingHerChannel() throws Exception {
        TestAgent owner = TestAgent.proven(client, relayA.uri(), alice);
        owner.send(create("#old"));
        owner.await("JOINED");
        owner.send("{\"type\":\"LEAVE\",\"channel\":\"#old\"}");
        owner.await("LEFT");
        return owner;
    }

    /** True once alice's next channel is created (her quota no longer counts #old). */
    private static boolean createsANewChannel(TestAgent owner) throws Exception {
        owner.send(create("#new"));
        while (true) {
            JsonNode answer = owner.next();
            if ("JOINED".equals(answer.path("type").asText())) {
                return true;
            }
            if ("ERROR".equals(answer.path("type").asText())) {
                return false; // "Channel limit reached (max 1 channels per agent)"
            }
        }
    }

    @Test
    void controlWithoutTheListingTheAbandonedChannelIsReclaimedAndTheQuotaFrees() throws Exception {
        try (TestAgent owner = aliceAfterLeavingHerChannel()) {
            await().atMost(GRACE.multipliedBy(5)).pollInterval(Duration.ofMillis(150))
                    .until(() -> createsANewChannel(owner));
        }
    }

    @Test
    void anUnidentifiedListingOnAnotherRelayKeepsTheAbandonedChannelAndItsCreatorsQuotaForever() throws Exception {
        try (TestAgent owner = aliceAfterLeavingHerChannel();
             TestAgent stranger = TestAgent.connect(client, relayB.uri())) { // never sends IDENTIFY
            await("alice's quota frees although a stranger on relay B keeps listing #old")
                    .atMost(GRACE.multipliedBy(5)).pollInterval(Duration.ofMillis(150)).until(() -> {
                stranger.send("{\"type\":\"LIST_AGENTS\",\"channel\":\"#old\"}");
                stranger.await("ERROR"); // NOT_INVITED: refused, yet relay B made a copy and renews it
                return createsANewChannel(owner);
            });
        }
    }
}
