package io.agentchat.server;
import static org.junit.jupiter.api.Assertions.assertFalse;

import static io.agentchat.server.HeldDms.comeAndGo;
import static io.agentchat.server.HeldDms.dm;
import static io.agentchat.server.HeldDms.dmContents;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import com.fasterxml.jackson.databind.JsonNode;
import io.agentchat.identity.AgentId;
import io.agentchat.identity.Ed25519;
import io.agentchat.identity.Identity;
import io.agentchat.identity.Pem;
import io.agentchat.server.core.RecoveryConfig;
import java.lang.reflect.Method;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.LongStream;
import org.eclipse.jetty.client.HttpClient;
import org.eclipse.jetty.websocket.client.WebSocketClient;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import static io.agentchat.server.HeldDms.comeAndGo;
import static io.agentchat.server.HeldDms.dm;
import static io.agentchat.server.HeldDms.dmContents;

/**
 * One stranger who saw a proven identity leave cannot shut everyone else out of its mailbox
 * (docs/protocol.md §6.6): a full mailbox drops the oldest DM of the sender holding the most to make
 * room for another sender. Before, the stranger's 100 DMs filled it, every other sender was refused
 * for 5 minutes and the identity came back to the junk (found by a hostile client; this test failed
 * then).
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class HeldMailboxFloodTest extends ServerHarness {

    @Test
    void oneSenderFillsAnotherIdentitysMailboxAndEveryOtherSenderIsRefused() throws Exception {
        start(config().noRateLimits().build()); // only to go fast: at 20 frames a second the 100 DMs take 5 s
        Identity victim = Identity.generate("victim", java.time.Clock.systemUTC());
        try (TestAgent bob = joined("bob", "#general"); TestAgent spammer = joined("spammer", "#general")) {
            comeAndGo(bob, TestAgent.proven(client, uri, victim));
            String to = "@" + victim.agentId();
            for (int i = 0; i < 100; i++) {
                spammer.send(dm(to, "x"));
            }
            spammer.drainUntilPong();
            bob.send(dm(to, "the one that matters"));
            List<JsonNode> answer = bob.drainUntilPong();
            boolean refused = answer.stream().anyMatch(f -> "ERROR".equals(f.path("type").asText()));
            try (TestAgent back = TestAgent.proven(client, uri, victim)) {
                List<String> delivered = dmContents(back);
                assertFalse(refused, "bob's DM was refused: the mailbox was full of one stranger's DMs");
                assertTrue(delivered.contains("the one that matters"), "the victim got " + delivered.size()
                        + " DMs from one sender and none from bob");
            }
        }
    }
}
