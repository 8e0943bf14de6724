package io.agentchat.server;

import static io.agentchat.server.HeldDms.comeAndGo;
import static io.agentchat.server.HeldDms.dm;
import static io.agentchat.server.HeldDms.dmContents;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.agentchat.identity.Identity;
import io.agentchat.server.core.RecoveryConfig;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * DMs for a proven identity that went away are held and handed over, in order, once the same key
 * proves itself again (docs/protocol.md, "DMs held for a returning identity").
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class HeldMessagesTest extends ServerHarness {
    private final Identity alice = Identity.generate("alice", Clock.systemUTC());

    private static RecoveryConfig holding(int messages, Duration age) {
        RecoveryConfig d = RecoveryConfig.defaults();
        return new RecoveryConfig(d.historyMessages(), d.historyAge(), d.historyBytes(), messages, age,
                d.heldBytesPerAgent(), d.heldBytes());
    }

    @Test
    void dmsToAProvenIdentityThatWentAwayArriveInOrderOnceItProvesItsKeyAgain() throws Exception {
        start();
        try (TestAgent bob = joined("bob", "#general")) {
            comeAndGo(bob, TestAgent.proven(client, uri, alice));
            for (int i = 1; i <= 3; i++) {
                bob.send(dm("@" + alice.agentId(), "while away " + i));
                bob.await("MSG", f -> f.path("content").asText().startsWith("while away"));
            }

            TestAgent unproven = TestAgent.unproven(client, uri, alice);
            assertEquals(List.of(), dmContents(unproven), "only the key's proof hands them over");
            unproven.send(unproven.challengeAnswer(alice, uri));
            unproven.await("VERIFY_SUCCESS");
            assertEquals(List.of("while away 1", "while away 2", "while away 3"), dmContents(unproven));
            bob.send(dm("@" + alice.agentId(), "live"));
            assertEquals("live", unproven.await("MSG").get("content").asText());
            unproven.close();

            try (TestAgent again = TestAgent.proven(client, uri, alice)) {
                assertEquals(List.of(), dmContents(again), "each held DM is handed over once");
            }
        }
    }

    @Test
    void anEphemeralIdThatWentAwayIsNotHeldFor() throws Exception {
        start();
        try (TestAgent bob = joined("bob", "#general")) {
            TestAgent gone = ephemeral("gone");
            comeAndGo(bob, gone);
            bob.send(dm(gone.id, "hello?"));
            bob.awaitError("AGENT_NOT_FOUND", "Agent " + gone.id + " not found");
        }
    }

    @Test
    void aFullMailboxRefusesWithAClearError() throws Exception {
        start(config().recovery(holding(2, Duration.ofMinutes(5))).build());
        try (TestAgent bob = joined("bob", "#general")) {
            comeAndGo(bob, TestAgent.proven(client, uri, alice));
            String to = "@" + alice.agentId();
            bob.send(dm(to, "one"));
            bob.send(dm(to, "two"));
            bob.send(dm(to, "three"));
            bob.awaitError("AGENT_NOT_FOUND", "Agent " + to + " is offline and cannot be held more messages");
            assertTrue(bob.isOpen());
            try (TestAgent back = TestAgent.proven(client, uri, alice)) {
                assertEquals(List.of("one", "two"), dmContents(back));
            }
        }
    }

    @Test
    void dmsAreHeldOnlyForAWhile() throws Exception {
        MutableClock clock = new MutableClock();
        start(config().clock(clock).recovery(holding(100, Duration.ofMinutes(5))).build());
        try (TestAgent bob = joined("bob", "#general")) {
            comeAndGo(bob, TestAgent.proven(client, uri, alice));
            String to = "@" + alice.agentId();
            bob.send(dm(to, "soon stale"));
            bob.await("MSG", f -> "soon stale".equals(f.path("content").asText()));
            clock.advance(Duration.ofMinutes(5));
            bob.send(dm(to, "too late"));
            bob.awaitError("AGENT_NOT_FOUND", "Agent " + to + " not found");
            try (TestAgent back = TestAgent.proven(client, uri, alice)) {
                List<JsonNode> frames = back.drainUntilPong();
                assertTrue(frames.stream().noneMatch(f -> "MSG".equals(f.path("type").asText())), frames.toString());
            }
        }
    }
}
