package io.agentchat.daemon;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.agentchat.identity.Identity;
import io.agentchat.ledger.Ledger;
import io.agentchat.protocol.FrameCodec;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What the daemon does with a frame: inbox line, and a receipt for a job we took part in. */
class InboxRouterTest {
    private final FrameCodec codec = new FrameCodec();

    @Test
    void aCompletionWeArePartyToIsStoredAsAReceiptAndInTheInbox(@TempDir Path home) throws Exception {
        PersonaPaths paths = PersonaPaths.of(home, "bob").createDirectories();
        Identity bob = Identity.generate("bob", Clock.systemUTC());
        Path receipts = paths.agentchatDir().resolve("receipts.jsonl");
        Ledger ledger = new Ledger(receipts, paths.agentchatDir().resolve("ratings.json"), Clock.systemUTC());
        String ours = "{\"type\":\"COMPLETE\",\"ts\":2,\"proposal_id\":\"prop_a_1\",\"status\":\"completed\","
                + "\"updated_at\":1,\"from\":\"@aaaaaaaa\",\"to\":\"@" + bob.agentId() + "\",\"completed_by\":\"@aaaaaaaa\","
                + "\"completed_at\":1,\"proof\":\"tx\",\"sig\":\"s\",\"elo_stakes\":{\"proposer\":0,\"acceptor\":0},"
                + "\"rating_changes\":null}";
        String theirs = ours.replace("prop_a_1", "prop_b_2").replace("@" + bob.agentId(), "@bbbbbbbb");
        try (InboxWriter inbox = new InboxWriter(paths, InboxWriter.Config.defaults(), Clock.systemUTC())) {
            InboxRouter router = new InboxRouter(inbox, bob, ledger);
            router.onFrame(codec.decodeServer(ours), ours);
            router.onFrame(codec.decodeServer(theirs), theirs);
            inbox.flush().get();
        }
        List<String> stored = Files.readAllLines(receipts);
        assertEquals(1, stored.size());
        assertTrue(stored.get(0).startsWith(ours.substring(0, ours.length() - 1) + ",\"stored_at\":"), stored.get(0));
        assertFalse(stored.get(0).contains("prop_b_2"));
        await().atMost(Duration.ofSeconds(5)).until(() -> Files.readAllLines(paths.inbox()).size() == 2);
    }
}
